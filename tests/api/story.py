"""The demo story (ops/demo.py) told through HTTP alone: every id and token comes from an API answer."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

from fastapi.testclient import TestClient

COMMUNICATION = {"url": "https://osmt.example.edu/api/skills/communication", "name": "Written and Oral Communication",
                 "framework": "OSMT RSD", "code": "COMM-01"}
SELF_MANAGEMENT = {"url": "https://osmt.example.edu/api/skills/self-management", "name": "Self-Management",
                   "framework": "OSMT RSD", "code": "SELF-01"}
TEAMWORK = {"url": "http://data.europa.eu/esco/skill/teamwork", "name": "Work in teams", "framework": "ESCO",
            "code": "S1.8.1"}
PATIENT_CARE = {"url": "http://data.europa.eu/esco/skill/patient-care", "name": "Provide basic patient care",
                "framework": "ESCO", "code": "S3.1.2"}
DATA_ANALYSIS = {"url": "https://osmt.example.edu/api/skills/data-analysis", "name": "Data Analysis",
                 "framework": "OSMT RSD", "code": "DATA-02"}
_keys = count()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Story:
    client: TestClient
    admin_token: str
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)
    position: int = 0

    def write(self, who: str, path: str, body: dict[str, Any] | None = None, expect: int | None = None,
              method: str = "POST") -> dict[str, Any]:
        token = self.admin_token if who == "admin" else self.tokens[who]
        headers = {**bearer(token), "Idempotency-Key": f"story-{next(_keys)}"}
        answer = self.client.request(method, path, json=body, headers=headers)
        assert answer.status_code < 300 if expect is None else answer.status_code == expect, answer.text
        found: dict[str, Any] = answer.json()
        if "position" in found:
            assert answer.headers["X-Ledger-Position"] == str(found["position"])
            self.position = max(self.position, found["position"])
        return found

    def read(self, who: str, path: str, **params: Any) -> Any:
        token = self.admin_token if who == "admin" else self.tokens[who]
        answer = self.client.get(path, headers=bearer(token), params={"min_position": self.position, **params})
        assert answer.status_code == 200, answer.text
        return answer.json()

    def issue_learner_token(self, name: str) -> None:
        """A provider's registration hands out no token (it would tell whether the learner existed): an admin
        issues the learner's first one."""
        issued = self.write("admin", "/v1/tokens", {"principal_kind": "learner", "principal_id": self.ids[name]})
        self.tokens[name] = issued["token"]

    def remember(self, name: str, answer: dict[str, Any]) -> str:
        self.ids[name] = answer["id"]
        if answer.get("token"):
            self.tokens[name] = answer["token"]
        return answer["id"]


def tell(client: TestClient, admin_token: str, today: date | None = None) -> Story:
    """Register, define achievements, enrol, assess, issue, RPL, work experience, revoke, share: as in ops/demo.py."""
    story = Story(client, admin_token)
    today = today or datetime.now(UTC).date()
    start = today - timedelta(days=400)
    _catalogue(story, start)
    _aroha_earns_micro_credentials(story, start)
    _sam_is_granted_rpl(story, start)
    _internship_and_revocation(story, start)
    _share_with_employer(story, today)
    return story


def _catalogue(story: Story, start: date) -> None:
    story.remember("university", story.write("admin", "/v1/providers", {
        "name": "Te Whare Wānanga o Aotearoa University", "website": "https://university.example.ac.nz",
        "identifiers": [{"scheme": "NZQA provider", "value": "7001"}, {"scheme": "NZBN", "value": "9429041234567"}],
        "effective": str(start)}, expect=201))
    story.remember("tafe", story.write("admin", "/v1/providers", {
        "name": "Southern Health TAFE", "identifiers": [{"scheme": "RTO", "value": "90123"}],
        "effective": str(start)}, expect=201))
    story.remember("employer", story.write("admin", "/v1/employers", {
        "name": "Harbour City Council", "identifiers": [{"scheme": "NZBN", "value": "9429000000001"}]}, expect=201))
    story.remember("bachelor", story.write("university", "/v1/achievements", {
        "achievement_type": "Degree", "name": "Bachelor of Business",
        "description": "A three-year undergraduate degree in business.",
        "criteria": "Complete 360 credits including core papers; up to 30 free-elective credits from "
                    "micro-credentials.",
        "credits": 360, "level": 7, "level_framework": "NZQF",
        "credit_rules": [{"label": "Free electives from micro-credentials", "accepts": ["MicroCredential"],
                          "max_credits": 30, "from_provider_id": story.ids["university"]}],
        "effective": str(start)}, expect=201))
    for name, skill, extra in (("communication", COMMUNICATION, TEAMWORK), ("self_management", SELF_MANAGEMENT, None)):
        story.remember(name, story.write("university", "/v1/achievements", {
            "achievement_type": "MicroCredential", "name": f"{skill['name']} Micro-credential",
            "description": f"Assessed {skill['name'].lower()} in workplace settings.",
            "criteria": "Pass a portfolio assessment and a practical observed task.",
            "learning_outcomes": [f"Demonstrate {skill['name'].lower()} in a professional context"],
            "skills": [skill, extra] if extra else [skill], "credits": "15", "hours": 150, "level": 5,
            "level_framework": "NZQF", "review_date": str(start + timedelta(days=3 * 365)),
            "stacks_into": [story.ids["bachelor"]], "effective": str(start)}, expect=201))
    story.remember("care_certificate", story.write("tafe", "/v1/achievements", {
        "achievement_type": "Certificate", "name": "Certificate III in Individual Support",
        "description": "Entry-level qualification for care work.",
        "criteria": "Demonstrate competency in all core units, including 120 hours of work placement.",
        "skills": [PATIENT_CARE, TEAMWORK], "credits": 40, "level": 3, "level_framework": "AQF",
        "effective": str(start)}, expect=201))


def _aroha_earns_micro_credentials(story: Story, start: date) -> None:
    aroha = story.remember("aroha", story.write("university", "/v1/learners", {
        "primary_identifier": {"scheme": "university student id", "value": "S1234567"},
        "profile": {"name": "Aroha Ngata", "email": "aroha@example.org"}, "did": "did:example:aroha",
        "effective": str(start)}, expect=201))
    story.issue_learner_token("aroha")
    for n, (name, levels) in enumerate((
        ("communication", [{"skill_url": COMMUNICATION["url"], "level": 4},
                           {"skill_url": TEAMWORK["url"], "level": 3}]),
        ("self_management", [{"skill_url": SELF_MANAGEMENT["url"], "level": 3}]),
    )):
        term_start = start + timedelta(days=30 + 120 * n)
        enrolment = story.remember(f"aroha_{name}_enrolment", story.write(
            "university", f"/v1/learners/{aroha}/enrolments", {
                "achievement_id": story.ids[name], "term": f"{term_start.year}-T{n + 1}",
                "effective": str(term_start)}, expect=201))
        story.remember(f"aroha_{name}_assessment", story.write(
            "university", f"/v1/enrolments/{enrolment}/assessments", {
                "title": "Portfolio", "outcome": "passed", "score": "A-", "skill_levels": levels,
                "evidence": [{"description": "Portfolio of workplace writing"}], "assessor": "Dr Mere Tane",
                "assessed_on": str(term_start + timedelta(days=80))}, expect=201))
        story.write("university", f"/v1/enrolments/{enrolment}/completion",
                    {"effective": str(term_start + timedelta(days=85))}, expect=200)
        issued = story.write("university", f"/v1/learners/{aroha}/credentials", {
            "achievement_id": story.ids[name], "basis": "enrolment", "basis_id": enrolment,
            "issued_on": str(term_start + timedelta(days=90)),
            "expires_on": str(term_start + timedelta(days=90 + 5 * 365))}, expect=201)
        assert issued["credential"]["proof"], issued
        story.remember(f"aroha_{name}", issued)


def _sam_is_granted_rpl(story: Story, start: date) -> None:
    sam = story.remember("sam", story.write("tafe", "/v1/learners", {
        "primary_identifier": {"scheme": "USI", "value": "SAM0001234"},
        "profile": {"name": "Sam O'Brien", "email": "sam@example.org"}, "effective": str(start)}, expect=201))
    story.issue_learner_token("sam")
    case = story.remember("sam_rpl", story.write("sam", f"/v1/learners/{sam}/rpl-cases", {
        "achievement_id": story.ids["care_certificate"], "claim": "Six years as a nurse assistant in aged care",
        "effective": str(start + timedelta(days=60))}, expect=201))
    for day, description in ((61, "Employer reference, Sunrise Aged Care"),
                             (62, "Observed practical assessment record")):
        story.write("sam", f"/v1/rpl-cases/{case}/evidence",
                    {"description": description, "effective": str(start + timedelta(days=day))}, expect=201)
    story.write("tafe", f"/v1/rpl-cases/{case}/decision", {
        "outcome": "partially-granted", "credits_granted": 20,
        "skill_levels": [{"skill_url": PATIENT_CARE["url"], "level": 3}],
        "rationale": "Care skills evidenced; teamwork in a clinical team not yet evidenced.",
        "assessor": "Jo Assessor", "evidence_reviewed": [0, 1], "effective": str(start + timedelta(days=75))},
        expect=200)
    story.write("sam", f"/v1/rpl-cases/{case}/appeal", {
        "grounds": "Ward team-leader reference was not considered", "effective": str(start + timedelta(days=80))},
        expect=200)
    story.write("sam", f"/v1/rpl-cases/{case}/evidence", {
        "description": "Reference from ward team leader", "effective": str(start + timedelta(days=81))}, expect=201)
    story.write("tafe", f"/v1/rpl-cases/{case}/revision", {
        "outcome": "granted", "credits_granted": 40,
        "skill_levels": [{"skill_url": PATIENT_CARE["url"], "level": 4}, {"skill_url": TEAMWORK["url"], "level": 3}],
        "rationale": "On appeal: the team leader's reference evidences teamwork; full credit granted.",
        "assessor": "Jo Assessor", "evidence_reviewed": [0, 1, 2], "effective": str(start + timedelta(days=95))},
        expect=200)
    story.remember("sam_certificate", story.write("tafe", f"/v1/learners/{sam}/credentials", {
        "achievement_id": story.ids["care_certificate"], "basis": "recognition", "basis_id": case,
        "issued_on": str(start + timedelta(days=100))}, expect=201))


def _internship_and_revocation(story: Story, start: date) -> None:
    aroha = story.ids["aroha"]
    internship = story.remember("internship", story.write("aroha", f"/v1/learners/{aroha}/work-experience", {
        "kind": "internship", "employer_name": "Harbour City Council", "role": "Communications Intern",
        "start": str(start + timedelta(days=200)), "end": str(start + timedelta(days=290)),
        "description": "Wrote public notices and ran community meetings.", "skills": [COMMUNICATION, DATA_ANALYSIS],
        "employer_id": story.ids["employer"], "placed_by": story.ids["university"],
        "effective": str(start + timedelta(days=291))}, expect=201))
    story.write("employer", f"/v1/work-experience/{internship}/attestation", {
        "confirmed_skills": [COMMUNICATION["url"]], "statement": "Aroha led our community notices.",
        "effective": str(start + timedelta(days=300))}, expect=200)
    story.write("university", f"/v1/credentials/{story.ids['aroha_self_management']}/revocation", {
        "reason": "Issued in error: portfolio mis-marked", "effective": str(start + timedelta(days=320))}, expect=200)


def _share_with_employer(story: Story, today: date) -> None:
    aroha = story.ids["aroha"]
    share = story.write("aroha", f"/v1/learners/{aroha}/shares", {
        "employer_id": story.ids["employer"], "credential_ids": [story.ids["aroha_communication"]],
        "skill_urls": [COMMUNICATION["url"], TEAMWORK["url"]], "purpose": "Application for Communications Advisor",
        "expires_at": datetime.combine(today + timedelta(days=30), datetime.min.time(), tzinfo=UTC).isoformat()},
        expect=201)
    assert share["url"].endswith(f"/v1/shared/{share['token']}")
    story.remember("share", share)
    story.tokens["share_link"] = share["token"]
