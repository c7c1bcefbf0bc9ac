"""The learner views as pure functions of a learner's folded state and the catalogue: skills profile, skill index
rows, pathway progress, shares and the employer-shareable view, and the record timeline. No I/O."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from domain.errors import NotFound
from projections.facts import moment

Json = dict[str, Any]

RANKS = {"verified": 3, "attested": 2, "self-asserted": 1, "unverified": 1, "unsupported": 0}
NOT_COUNTING = frozenset({"suspended", "disputed"})


class Catalogue(Protocol):
    """Providers, achievements and employers as they stood at the position the view is computed at."""

    def provider(self, provider_id: str) -> Json | None: ...

    def achievement(self, achievement_id: str) -> Json | None: ...

    def employer(self, employer_id: str) -> Json | None: ...


class DictCatalogue:
    def __init__(self, entries: dict[tuple[str, str], Json] | None = None):
        self.entries = entries or {}

    def provider(self, provider_id: str) -> Json | None:
        return self.entries.get(("provider", provider_id))

    def achievement(self, achievement_id: str) -> Json | None:
        return self.entries.get(("achievement", achievement_id))

    def employer(self, employer_id: str) -> Json | None:
        return self.entries.get(("employer", employer_id))


class NoSuchQualification(NotFound):
    code = "qualification-not-found"


def _name(doc: Json | None, default: str = "unknown") -> str:
    if doc is None:
        return default
    return str(doc.get("name") or doc.get("spec", {}).get("name") or default)


def _provider_verification(provider: Json | None) -> str:
    return "verified" if provider is not None and provider.get("registered") else "unverified"


def actor_name(actor: str, catalogue: Catalogue) -> str:
    kind, _, actor_id = actor.partition(":")
    if kind == "provider":
        return _name(catalogue.provider(actor_id))
    if kind == "employer":
        return _name(catalogue.employer(actor_id))
    return kind


# ---- skills -------------------------------------------------------------------------------------------------

def skill_definitions(state: Json, catalogue: Catalogue) -> dict[str, Json]:
    """Skill url -> {url, name, framework, code}, from the achievements behind the evidence and stated work."""
    found: dict[str, Json] = {}
    achievement_ids = [c["achievement_id"] for c in state["credentials"].values()]
    achievement_ids += [e["achievement_id"] for e in state["enrolments"].values()]
    achievement_ids += [case["achievement_id"] for case in state["rpl"].values()]
    for achievement_id in achievement_ids:
        achievement = catalogue.achievement(achievement_id)
        for skill in (achievement or {}).get("spec", {}).get("skills", []):
            found.setdefault(skill["url"], _skill(skill))
    for work in state["work"].values():
        for skill in work["skills"]:
            found.setdefault(skill["url"], _skill(skill))
    return found


def _skill(skill: Json) -> Json:
    return {"url": skill["url"], "name": skill["name"], "framework": skill["framework"], "code": skill.get("code", "")}


def evidence_items(state: Json, catalogue: Catalogue, on: date) -> list[Json]:
    """Every piece of evidence of every skill. Revoked credentials, and the assessments or RPL decisions they were
    issued on, drop out; suspended, superseded, expired, disputed or appealed evidence is marked."""
    today = on.isoformat()
    revoked_bases = {c["basis_id"] for c in state["credentials"].values() if c["status"] == "revoked"}
    items: list[Json] = []
    for credential_id, credential in state["credentials"].items():
        if credential["status"] == "revoked":
            continue
        provider = catalogue.provider(credential["provider_id"])
        marks = [credential["status"]] if credential["status"] in ("suspended", "superseded") else []
        if credential["expires_on"] and credential["expires_on"] <= today:
            marks.append("expired")
        for url, level in credential["skill_levels"].items():
            items.append(_evidence(url, "credential", credential_id, credential["achievement_id"], catalogue,
                                   credential["provider_id"], provider, credential["issued_on"], level,
                                   _provider_verification(provider), marks, credential["position"]))
    for enrolment_id, enrolment in state["enrolments"].items():
        if enrolment_id in revoked_bases:
            continue
        provider = catalogue.provider(enrolment["provider_id"])
        corrected = {a["corrects"] for a in enrolment["assessments"].values() if a["corrects"]}
        for assessment_id, assessment in enrolment["assessments"].items():
            if assessment_id in corrected or assessment["outcome"] != "passed":
                continue
            for url, level in assessment["skill_levels"].items():
                items.append(_evidence(url, "assessment", assessment_id, enrolment["achievement_id"], catalogue,
                                       enrolment["provider_id"], provider, assessment["assessed_on"], level,
                                       _provider_verification(provider), [], assessment["position"]))
    for case_id, case in state["rpl"].items():
        decision = case["decision"]
        if case_id in revoked_bases or decision is None or decision["outcome"] == "declined":
            continue
        provider = catalogue.provider(case["provider_id"])
        marks = ["under-appeal"] if case["appealed"] else []
        for url, level in decision["skill_levels"].items():
            items.append(_evidence(url, "rpl", case_id, case["achievement_id"], catalogue, case["provider_id"],
                                   provider, case["decided_on"], level, _provider_verification(provider), marks, 0))
    for experience_id, work in state["work"].items():
        attested = work["attested_by"] is not None and not work["disputed"]
        confirmed = set(work["confirmed_skills"]) if attested else set()
        marks = ["disputed"] if work["disputed"] else []
        for skill in work["skills"]:
            if skill["url"] in confirmed:
                attester = work["attested_by"]
                items.append({
                    "skill_url": skill["url"], "kind": "work-experience", "id": experience_id,
                    "title": f"{work['role']}, {work['employer_name']}", "issuer_id": attester.partition(":")[2],
                    "issuer": actor_name(attester, catalogue), "date": work["attested_on"], "level": None,
                    "verification": "attested", "marks": marks,
                })
            else:
                items.append({
                    "skill_url": skill["url"], "kind": "work-experience", "id": experience_id,
                    "title": f"{work['role']}, {work['employer_name']}", "issuer_id": state["learner_id"],
                    "issuer": "self", "date": work["end"] or work["stated_on"], "level": None,
                    "verification": "self-asserted", "marks": marks,
                })
    return items


def _evidence(url: str, kind: str, evidence_id: str, achievement_id: str, catalogue: Catalogue, provider_id: str,
              provider: Json | None, day: str, level: int, verification: str, marks: list[str],
              position: int) -> Json:
    return {"skill_url": url, "kind": kind, "id": evidence_id, "achievement_id": achievement_id,
            "title": _name(catalogue.achievement(achievement_id)), "issuer_id": provider_id,
            "issuer": _name(provider), "date": day, "level": level, "verification": verification,
            "marks": list(marks)}


def currency(last_evidenced: str, on: date, half_life_years: float) -> float:
    years = max(0.0, (on - date.fromisoformat(last_evidenced)).days / 365.25)
    return round(float(0.5 ** (years / half_life_years)), 4)


def skills_profile(state: Json, catalogue: Catalogue, on: date, half_life_years: float) -> Json:
    definitions = skill_definitions(state, catalogue)
    by_skill: dict[str, list[Json]] = {}
    for item in evidence_items(state, catalogue, on):
        by_skill.setdefault(item["skill_url"], []).append(item)
    entries = []
    for url, items in by_skill.items():
        items.sort(key=lambda i: (i["date"], i["kind"], i["id"]))
        counting = [i for i in items if not NOT_COUNTING & set(i["marks"])]
        basis = counting or items
        levels = [i["level"] for i in counting if i["level"] is not None]
        best = max(counting, key=lambda i: RANKS[i["verification"]], default=None)
        last = max(i["date"] for i in basis)
        entries.append({
            "skill": definitions.get(url, {"url": url, "name": url, "framework": "", "code": ""}),
            "level": max(levels) if levels else None,
            "verification": best["verification"] if best else "unsupported",
            "first_evidenced": min(i["date"] for i in basis),
            "last_evidenced": last,
            "currency": currency(last, on, half_life_years),
            "evidence": [{key: value for key, value in i.items() if key != "skill_url"} for i in items],
        })
    entries.sort(key=lambda e: (e["skill"]["name"].lower(), e["skill"]["url"]))
    return {"learner_id": state["learner_id"], "position": state["position"], "on": on.isoformat(),
            "half_life_years": half_life_years, "skills": entries}


def skill_index_rows(state: Json, catalogue: Catalogue) -> list[Json]:
    """One row per skill for the employer query index: best level and last date, over all counting evidence and
    over third-party (verified or attested) evidence."""
    rows: dict[str, Json] = {}
    for item in evidence_items(state, catalogue, date.min):
        if NOT_COUNTING & set(item["marks"]):
            continue
        rank = RANKS[item["verification"]]
        row = rows.setdefault(item["skill_url"], {"skill_url": item["skill_url"], "level": None,
                                                  "last_evidenced": item["date"], "rank": rank,
                                                  "verified_level": None, "verified_last": None})
        row["level"] = _max(row["level"], item["level"])
        row["last_evidenced"] = max(row["last_evidenced"], item["date"])
        row["rank"] = max(row["rank"], rank)
        if rank >= RANKS["attested"]:
            row["verified_level"] = _max(row["verified_level"], item["level"])
            row["verified_last"] = max(row["verified_last"] or item["date"], item["date"])
    return sorted(rows.values(), key=lambda r: r["skill_url"])


def _max(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    return a if b is None else max(a, b)


# ---- pathway progress --------------------------------------------------------------------------------------------

def pathway(state: Json, catalogue: Catalogue, qualification_id: str) -> Json:
    """How much of a qualification's credit rules the learner's credentials and RPL credit fill, and from which
    facts. Each fact fills the first rule that accepts it, up to the rule's maximum."""
    qualification = catalogue.achievement(qualification_id)
    if qualification is None or not qualification["spec"].get("credit_rules"):
        raise NoSuchQualification(f"no qualification {qualification_id} with credit rules")
    rules = [{**rule, "filled": Decimal(0), "facts": []} for rule in qualification["spec"]["credit_rules"]]
    standing_bases = {c["basis_id"] for c in state["credentials"].values()}
    candidates: list[tuple[str, str, Json, Json | None, Decimal, str]] = []
    for credential_id, credential in state["credentials"].items():
        if credential["status"] != "active" or credential["achievement_id"] == qualification_id:
            continue
        candidates.append(("credential", credential_id, credential, catalogue.achievement(credential["achievement_id"]),
                           Decimal(credential["credits"] or 0), credential["issued_on"]))
    for case_id, case in state["rpl"].items():
        decision = case["decision"]
        if decision is None or decision["outcome"] == "declined" or case["appealed"] or case_id in standing_bases:
            continue
        candidates.append(("rpl", case_id, case, catalogue.achievement(case["achievement_id"]),
                           Decimal(decision["credits_granted"] or 0), case["decided_on"]))
    unallocated = []
    for kind, fact_id, fact, achievement, credits, day in candidates:
        entry = {"kind": kind, "id": fact_id, "achievement_id": fact["achievement_id"],
                 "achievement": _name(achievement), "provider_id": fact["provider_id"], "credits": str(credits),
                 "date": day}
        rule = next((r for r in rules if _accepts(r, kind, fact, achievement, qualification_id)
                     and r["filled"] < Decimal(r["max_credits"])), None)
        if rule is None or credits <= 0:
            unallocated.append(entry)
            continue
        counted = min(credits, Decimal(rule["max_credits"]) - rule["filled"])
        rule["filled"] += counted
        rule["facts"].append({**entry, "counted": str(counted)})
    filled = sum((r["filled"] for r in rules), Decimal(0))
    return {
        "learner_id": state["learner_id"], "position": state["position"],
        "qualification": {"id": qualification_id, "name": _name(qualification),
                          "credits": qualification["spec"].get("credits")},
        "rules": [{"label": r["label"], "accepts": r["accepts"], "from_provider_id": r["from_provider_id"] or None,
                   "accepts_rpl": r["accepts_rpl"], "max_credits": r["max_credits"], "filled": str(r["filled"]),
                   "remaining": str(Decimal(r["max_credits"]) - r["filled"]), "facts": r["facts"]} for r in rules],
        "filled": str(filled), "not_counted": unallocated,
    }


def _accepts(rule: Json, kind: str, fact: Json, achievement: Json | None, qualification_id: str) -> bool:
    if kind == "rpl" and not rule["accepts_rpl"]:
        return False
    if kind == "rpl" and fact["achievement_id"] == qualification_id:
        return True
    if achievement is None or achievement["spec"]["achievement_type"] not in rule["accepts"]:
        return False
    return not rule["from_provider_id"] or achievement["provider_id"] == rule["from_provider_id"]


# ---- shares ------------------------------------------------------------------------------------------------------

def share_live(share: Json, now: datetime) -> bool:
    return not share["revoked"] and moment(now) < share["expires_at"]


def share_summary(share: Json, catalogue: Catalogue, now: datetime) -> Json:
    return {
        "share_id": share["share_id"], "employer_id": share["employer_id"],
        "employer": _name(catalogue.employer(share["employer_id"])), "purpose": share["purpose"],
        "credential_ids": share["credential_ids"], "skill_urls": share["skill_urls"],
        "granted_at": share["granted_at"], "expires_at": share["expires_at"], "revoked": share["revoked"],
        "revoked_at": share["revoked_at"], "live": share_live(share, now),
        "openings": [{"opened_at": o["opened_at"], "viewer": o["viewer"], "recorded_by": o["recorded_by"],
                      "position": o["position"]} for o in share["openings"]],
    }


def employer_view(
    state: Json, share: Json, catalogue: Catalogue, credentials: dict[str, Json],
    verify: Callable[[Json], Json], on: date, half_life_years: float,
) -> Json:
    """Exactly what one share grants: the chosen credentials with their verification, the chosen skills with the
    evidence behind them (naming only the shared credentials), the share's purpose and expiry. Nothing else."""
    shared_credentials = [credentials[c] for c in share["credential_ids"] if c in credentials]
    profile = skills_profile(state, catalogue, on, half_life_years)
    granted = set(share["skill_urls"])
    shared_ids = set(share["credential_ids"])
    skills = []
    for entry in profile["skills"]:
        if entry["skill"]["url"] not in granted:
            continue
        evidence = [{"kind": e["kind"], "issuer": e["issuer"], "date": e["date"], "level": e["level"],
                     "verification": e["verification"], "marks": e["marks"],
                     **({"credential_id": e["id"]} if e["kind"] == "credential" and e["id"] in shared_ids else {})}
                    for e in entry["evidence"]]
        skills.append({**{k: v for k, v in entry.items() if k != "evidence"}, "evidence": evidence})
    return {
        "share_id": share["share_id"], "purpose": share["purpose"], "expires_at": share["expires_at"],
        "employer": {"id": share["employer_id"], "name": _name(catalogue.employer(share["employer_id"]))},
        "credentials": [{
            "credential_id": row["credential_id"],
            "achievement": _name(catalogue.achievement(row["achievement_id"])),
            "issuer": _name(catalogue.provider(row["provider_id"])),
            "document": row["document"], "verification": verify(row),
        } for row in shared_credentials],
        "skills": skills,
    }


# ---- the record timeline ------------------------------------------------------------------------------------------

def record_entry(fact: Json, state: Json, catalogue: Catalogue) -> Json:
    return {
        "position": fact["position"], "recorded_at": fact["recorded_at"], "effective": fact["effective"],
        "fact": fact["fact"], "summary": summary(fact, state, catalogue), "recorded_by": fact["recorded_by"],
        "recorded_by_name": actor_name(fact["recorded_by"], catalogue), **fact["subject"],
    }


def summary(fact: Json, state: Json, catalogue: Catalogue) -> str:
    data, subject, name = fact["data"], fact["subject"], fact["fact"]

    def achievement_of(collection: str, key: str) -> str:
        item = state[collection].get(subject.get(key, ""), {})
        return _name(catalogue.achievement(item.get("achievement_id", "")), "an achievement")

    texts: dict[str, Callable[[], str]] = {
        "Learner.Registered": lambda: "Registered with the ledger",
        "Learner.ShareGranted": lambda: f"Shared with {_name(catalogue.employer(data['share']['employer_id']))}: "
                                        f"{data['share']['purpose']}",
        "Learner.ShareRevoked": lambda: "Revoked a share",
        "Learner.ShareOpened": lambda: f"A share was opened by {data['viewer']}",
        "Learner.Erased": lambda: "Personal data erased",
        "Enrolment.Enrolled": lambda: f"Enrolled in {achievement_of('enrolments', 'enrolment_id')} ({data['term']})",
        "Enrolment.AssessmentRecorded": lambda: f"Assessed: {data['assessment']['title']} "
                                                f"({data['assessment']['outcome']})",
        "Enrolment.Completed": lambda: f"Completed {achievement_of('enrolments', 'enrolment_id')}",
        "Enrolment.Withdrawn": lambda: f"Withdrew from {achievement_of('enrolments', 'enrolment_id')}",
        "Credential.Issued": lambda: f"Credential issued: {achievement_of('credentials', 'credential_id')}",
        "Credential.Suspended": lambda: f"Credential suspended: {data['reason']}",
        "Credential.Reinstated": lambda: f"Credential reinstated: {data['reason']}",
        "Credential.Revoked": lambda: f"Credential revoked: {data['reason']}",
        "Credential.Superseded": lambda: "Credential superseded by a new credential",
        "RecognitionCase.Applied": lambda: f"Applied for recognition of prior learning: "
                                           f"{achievement_of('rpl', 'case_id')}",
        "RecognitionCase.EvidenceSubmitted": lambda: f"Evidence submitted: {data['evidence']['description']}",
        "RecognitionCase.Decided": lambda: f"RPL decision: {data['decision']['outcome']}, "
                                           f"{data['decision']['credits_granted']} credits",
        "RecognitionCase.Appealed": lambda: "RPL decision appealed",
        "RecognitionCase.Revised": lambda: f"RPL decision revised: {data['decision']['outcome']}, "
                                           f"{data['decision']['credits_granted']} credits",
        "WorkExperience.Stated": lambda: f"Work experience: {data['position']['role']}, "
                                         f"{data['position']['employer_name']}",
        "WorkExperience.Attested": lambda: "Work experience attested",
        "WorkExperience.Disputed": lambda: "Work experience disputed",
        "WorkExperience.Ended": lambda: f"Work experience ended on {data['ended_on']}",
    }
    text = texts.get(name)
    return text() if text else name


def ordered_unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
