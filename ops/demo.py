"""A believable story from the field, told as commands to the Ledger: `make run` loads it.

A university defines "Communication" and "Self-Management" micro-credentials aligned to skills, stacking into a
Bachelor of Business that accepts up to 30 credits of them; a learner earns both; a nurse assistant is granted credit
by RPL after an appeal; an internship is attested by the employer; a credential is revoked; a share goes to an employer.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from application.commands import (
    AppealRpl,
    ApplyForRpl,
    AttestWorkExperience,
    CompleteEnrolment,
    DecideRpl,
    DefineAchievement,
    Enrol,
    GrantShare,
    IssueCredential,
    IssueToken,
    RecordAssessment,
    RegisterEmployer,
    RegisterLearner,
    RegisterProvider,
    ReviseRpl,
    RevokeCredential,
    StateWorkExperience,
    SubmitRplEvidence,
)
from application.ledger import Ledger
from domain.achievement import AchievementSpec
from domain.credential import CredentialBasis
from domain.recognition import RplDecision
from domain.values import (
    AchievementType,
    Actor,
    AssessmentOutcome,
    CreditRule,
    Evidence,
    Identifier,
    LevelFramework,
    Period,
    RplOutcome,
    Skill,
    SkillLevel,
)
from domain.work_experience import Position, WorkKind

COMMUNICATION = Skill("https://osmt.example.edu/api/skills/communication", "Written and Oral Communication",
                      "OSMT RSD", "COMM-01")
SELF_MANAGEMENT = Skill("https://osmt.example.edu/api/skills/self-management", "Self-Management", "OSMT RSD", "SELF-01")
TEAMWORK = Skill("http://data.europa.eu/esco/skill/teamwork", "Work in teams", "ESCO", "S1.8.1")
PATIENT_CARE = Skill("http://data.europa.eu/esco/skill/patient-care", "Provide basic patient care", "ESCO", "S3.1.2")
DATA_ANALYSIS = Skill("https://osmt.example.edu/api/skills/data-analysis", "Data Analysis", "OSMT RSD", "DATA-02")


@dataclass
class DemoIds:
    admin: Actor
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, UUID] = field(default_factory=dict)


def load_demo(ledger: Ledger, today: date | None = None) -> DemoIds:
    today = today or ledger.today()
    start = today - timedelta(days=400)
    demo = DemoIds(Actor.admin())
    _catalogue(ledger, demo, start)
    _aroha_earns_micro_credentials(ledger, demo, start)
    _sam_is_granted_rpl(ledger, demo, start)
    _internship_and_revocation(ledger, demo, start)
    _share_with_employer(ledger, demo, today)
    return demo


def _issue_learner_token(ledger: Ledger, demo: DemoIds, name: str) -> None:
    """A provider's registration hands out no token (it would tell whether the learner existed): the admin does."""
    demo.tokens[name] = ledger.execute(demo.admin, IssueToken(Actor.learner(demo.ids[name]))).token


def _remember(demo: DemoIds, name: str, written: object) -> UUID:
    demo.ids[name] = written.id  # type: ignore[attr-defined]
    if getattr(written, "token", ""):
        demo.tokens[name] = written.token  # type: ignore[attr-defined]
    return demo.ids[name]


def _catalogue(ledger: Ledger, demo: DemoIds, start: date) -> None:
    admin = demo.admin
    uni = _remember(demo, "university", ledger.execute(admin, RegisterProvider(
        name="Te Whare Wānanga o Aotearoa University", website="https://university.example.ac.nz",
        identifiers=(Identifier("NZQA provider", "7001"), Identifier("NZBN", "9429041234567")), effective=start,
    )))
    _remember(demo, "tafe", ledger.execute(admin, RegisterProvider(
        name="Southern Health TAFE", identifiers=(Identifier("RTO", "90123"),), effective=start,
    )))
    _remember(demo, "employer", ledger.execute(admin, RegisterEmployer(
        name="Harbour City Council", identifiers=(Identifier("NZBN", "9429000000001"),),
    )))
    uni_actor = Actor.provider(uni)
    degree = _remember(demo, "bachelor", ledger.execute(uni_actor, DefineAchievement(AchievementSpec(
        AchievementType.DEGREE, "Bachelor of Business", "A three-year undergraduate degree in business.",
        "Complete 360 credits including core papers; up to 30 free-elective credits from micro-credentials.",
        credits=Decimal(360), level=7, level_framework=LevelFramework.NZQF,
        credit_rules=(CreditRule("Free electives from micro-credentials", (AchievementType.MICRO_CREDENTIAL,),
                                 Decimal(30), from_provider_id=str(uni)),),
    ), effective=start)))
    for name, skill, extra in (
        ("communication", COMMUNICATION, TEAMWORK), ("self_management", SELF_MANAGEMENT, None),
    ):
        skills = (skill, extra) if extra else (skill,)
        _remember(demo, name, ledger.execute(uni_actor, DefineAchievement(AchievementSpec(
            AchievementType.MICRO_CREDENTIAL, f"{skill.name} Micro-credential",
            f"Assessed {skill.name.lower()} in workplace settings.",
            "Pass a portfolio assessment and a practical observed task.",
            learning_outcomes=(f"Demonstrate {skill.name.lower()} in a professional context",),
            skills=skills, credits=Decimal(15), hours=Decimal(150), level=5, level_framework=LevelFramework.NZQF,
            review_date=start + timedelta(days=3 * 365), stacks_into=(degree,),
        ), effective=start)))
    tafe = Actor.provider(demo.ids["tafe"])
    _remember(demo, "care_certificate", ledger.execute(tafe, DefineAchievement(AchievementSpec(
        AchievementType.CERTIFICATE, "Certificate III in Individual Support",
        "Entry-level qualification for care work.",
        "Demonstrate competency in all core units, including 120 hours of work placement.",
        skills=(PATIENT_CARE, TEAMWORK), credits=Decimal(40), level=3, level_framework=LevelFramework.AQF,
    ), effective=start)))


def _aroha_earns_micro_credentials(ledger: Ledger, demo: DemoIds, start: date) -> None:
    uni = Actor.provider(demo.ids["university"])
    learner = _remember(demo, "aroha", ledger.execute(uni, RegisterLearner(
        primary_identifier=Identifier("university student id", "S1234567"),
        profile={"name": "Aroha Ngata", "email": "aroha@example.org"}, did="did:example:aroha", effective=start,
    )))
    _issue_learner_token(ledger, demo, "aroha")
    for n, (name, levels) in enumerate((
        ("communication", (SkillLevel(COMMUNICATION.url, 4), SkillLevel(TEAMWORK.url, 3))),
        ("self_management", (SkillLevel(SELF_MANAGEMENT.url, 3),)),
    )):
        term_start = start + timedelta(days=30 + 120 * n)
        enrolment = ledger.execute(uni, Enrol(
            learner, achievement_id=demo.ids[name], term=f"{term_start.year}-T{n + 1}", effective=term_start,
        )).id
        ledger.execute(uni, RecordAssessment(
            enrolment, title="Portfolio", outcome=AssessmentOutcome.PASSED, score="A-", skill_levels=levels,
            evidence=(Evidence("Portfolio of workplace writing"),), assessor="Dr Mere Tane",
            assessed_on=term_start + timedelta(days=80),
        ))
        ledger.execute(uni, CompleteEnrolment(enrolment, effective=term_start + timedelta(days=85)))
        _remember(demo, f"aroha_{name}", ledger.execute(uni, IssueCredential(
            learner, achievement_id=demo.ids[name], basis=CredentialBasis.ENROLMENT, basis_id=enrolment,
            issued_on=term_start + timedelta(days=90), expires_on=term_start + timedelta(days=90 + 5 * 365),
        )))


def _sam_is_granted_rpl(ledger: Ledger, demo: DemoIds, start: date) -> None:
    tafe = Actor.provider(demo.ids["tafe"])
    sam = _remember(demo, "sam", ledger.execute(tafe, RegisterLearner(
        primary_identifier=Identifier("USI", "SAM0001234"), profile={"name": "Sam O'Brien", "email": "sam@example.org"},
        effective=start,
    )))
    _issue_learner_token(ledger, demo, "sam")
    sam_actor = Actor.learner(sam)
    case = _remember(demo, "sam_rpl", ledger.execute(sam_actor, ApplyForRpl(
        sam, achievement_id=demo.ids["care_certificate"], claim="Six years as a nurse assistant in aged care",
        effective=start + timedelta(days=60),
    )))
    ledger.execute(sam_actor, SubmitRplEvidence(
        case, evidence=Evidence("Employer reference, Sunrise Aged Care"), effective=start + timedelta(days=61),
    ))
    ledger.execute(sam_actor, SubmitRplEvidence(
        case, evidence=Evidence("Observed practical assessment record"), effective=start + timedelta(days=62),
    ))
    ledger.execute(tafe, DecideRpl(case, decision=RplDecision(
        RplOutcome.PARTIALLY_GRANTED, Decimal(20), (SkillLevel(PATIENT_CARE.url, 3),),
        "Care skills evidenced; teamwork in a clinical team not yet evidenced.", "Jo Assessor", (0, 1)),
        effective=start + timedelta(days=75)))
    ledger.execute(sam_actor, AppealRpl(
        case, grounds="Ward team-leader reference was not considered", effective=start + timedelta(days=80),
    ))
    ledger.execute(sam_actor, SubmitRplEvidence(
        case, evidence=Evidence("Reference from ward team leader"), effective=start + timedelta(days=81),
    ))
    ledger.execute(tafe, ReviseRpl(case, decision=RplDecision(
        RplOutcome.GRANTED, Decimal(40), (SkillLevel(PATIENT_CARE.url, 4), SkillLevel(TEAMWORK.url, 3)),
        "On appeal: the team leader's reference evidences teamwork; full credit granted.", "Jo Assessor", (0, 1, 2)),
        effective=start + timedelta(days=95)))
    _remember(demo, "sam_certificate", ledger.execute(tafe, IssueCredential(
        sam, achievement_id=demo.ids["care_certificate"], basis=CredentialBasis.RECOGNITION, basis_id=case,
        issued_on=start + timedelta(days=100),
    )))


def _internship_and_revocation(ledger: Ledger, demo: DemoIds, start: date) -> None:
    aroha = demo.ids["aroha"]
    employer = Actor.employer(demo.ids["employer"])
    position = Position(
        WorkKind.INTERNSHIP, "Harbour City Council", "Communications Intern",
        Period(start + timedelta(days=200), start + timedelta(days=290)),
        "Wrote public notices and ran community meetings.", (COMMUNICATION, DATA_ANALYSIS),
        employer_id=demo.ids["employer"], placed_by=demo.ids["university"])
    internship = _remember(demo, "internship", ledger.execute(Actor.learner(aroha), StateWorkExperience(
        aroha, position=position, effective=start + timedelta(days=291))))
    ledger.execute(employer, AttestWorkExperience(
        internship, confirmed_skills=(COMMUNICATION.url,), statement="Aroha led our community notices.",
        effective=start + timedelta(days=300),
    ))
    uni = Actor.provider(demo.ids["university"])
    # An integrity finding: the self-management credential was issued on a mis-marked portfolio.
    ledger.execute(uni, RevokeCredential(
        demo.ids["aroha_self_management"], reason="Issued in error: portfolio mis-marked",
        effective=start + timedelta(days=320),
    ))


def _share_with_employer(ledger: Ledger, demo: DemoIds, today: date) -> None:
    aroha = demo.ids["aroha"]
    share = ledger.execute(Actor.learner(aroha), GrantShare(
        aroha, employer_id=demo.ids["employer"], credential_ids=(demo.ids["aroha_communication"],),
        skill_urls=(COMMUNICATION.url, TEAMWORK.url), purpose="Application for Communications Advisor",
        expires_at=datetime.combine(today + timedelta(days=30), datetime.min.time()).astimezone()))
    _remember(demo, "share", share)
