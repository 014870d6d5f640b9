"""Synthetic people and cases for trying Casework (`flask demo seed`): Russian names in both scripts,
plausible dates and situations, all marked DEMO. Never real people."""

import random
from datetime import datetime, timedelta

from faker import Faker

from casework import audit, choices, clock
from casework.cases import operations
from casework.extensions import db
from casework.models import Case, Consent, Person, User
from casework.people.normalise import CYRILLIC_TO_LATIN

DUTCH_CITIES = ["Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Groningen", "Leiden", "Eindhoven", "Nijmegen", "Ter Apel"]

SITUATIONS = [
    # (location, dutch status, military situation, contact from the military, action), weighted
    # towards the letter's cases
    ("russia", None, "reservist", "summons_electronic", "evaded_mobilisation"),
    ("georgia", None, "reservist", "summons_paper,phone_call", "evaded_mobilisation"),
    ("kazakhstan", None, "conscription_age", "summons_register", "refused_conscription"),
    ("armenia", None, "reservist", "visit", "evaded_mobilisation"),
    ("netherlands", "asylum_pending", "reservist", "summons_electronic", "evaded_mobilisation"),
    ("netherlands", "asylum_pending", "conscription_age", "summons_paper", "refused_conscription"),
    ("netherlands", "asylum_pending", "deserted_mobilised", "none", "deserted"),
    ("netherlands", "schengen_visa", "never_served", "none", "fears_call_up"),
    ("netherlands", "visa_free", "never_served", "data_check", "fears_call_up"),
    ("netherlands", "student", "never_served", "none", "fears_call_up"),
    ("netherlands", "exchange_student", "conscription_age", "none", "fears_call_up"),
    ("netherlands", "researcher", "reservist", "none", "evaded_mobilisation"),
    ("schengen", "none", "reservist", "summons_electronic", "evaded_mobilisation"),
]


def latin(text: str) -> str:
    """A plain Latin spelling of a Cyrillic name, as a passport might give it."""
    return "".join(CYRILLIC_TO_LATIN.get(c.lower(), c).capitalize() if c.isupper() else CYRILLIC_TO_LATIN.get(c, c) for c in text)


def seed_case(fake: Faker, rng: random.Random, actor: User, assignees: list[User]) -> Case:
    sex = "M" if rng.random() < 0.85 else "F"
    surname = fake.last_name_male() if sex == "M" else fake.last_name_female()
    given = fake.first_name_male() if sex == "M" else fake.first_name_female()
    today = clock.today()
    born = today - timedelta(days=rng.randint(18 * 365, 55 * 365))
    location, status, military, contacts, action = rng.choice(SITUATIONS)
    person = Person(
        surname_cyrillic=surname,
        given_names_cyrillic=given,
        surname_latin=latin(surname),
        given_names_latin=latin(given),
        date_of_birth=born,
        sex=sex,
        citizenship="RU",
        languages="ru",
        phone=f"+79{rng.randint(10**8, 10**9 - 1)}",
        telegram=f"@{latin(surname).lower()}{rng.randint(1, 9999)}",
    )
    db.session.add(person)
    db.session.add(Consent(person=person, store=True, contact=True, method="telegram", recorded_by_id=actor.id))
    opened = today - timedelta(days=rng.randint(0, 400))
    assignee = rng.choice(assignees) if assignees and rng.random() < 0.8 else None
    case = Case(person=person, created_by_id=actor.id, is_demo=True, assignee_id=assignee.id if assignee else None)
    case.status = rng.choice(["new", "triage", "active", "active", "waiting", "referred", "closed"])
    if case.status == "closed":
        case.outcome = rng.choice([code for code, _ in choices.OUTCOMES])
    case.location, case.dutch_status, case.military_situation = location, status, military
    case.contact_kinds, case.action = contacts, action
    case.rank_group = rng.choice(["soldier", "soldier", "junior_officer", "none", "unknown"])
    case.reserve_category = rng.choice(["1", "2", "3", "unknown"])
    case.city = rng.choice(DUTCH_CITIES) if location == "netherlands" else fake.city_name()
    case.needs = ",".join(rng.sample([code for code, _ in choices.NEEDS], rng.randint(1, 3)))
    case.narrative = "DEMO. " + fake.paragraph(nb_sentences=3)
    if "summons" in contacts:
        case.summons_purpose = "mobilisation" if military in ("reservist", "mobilised") else "conscription"
        case.summons_posted_on = opened - timedelta(days=rng.randint(5, 60))
        case.summons_appear_on = case.summons_posted_on + timedelta(days=rng.randint(3, 20))
    if status in ("schengen_visa", "student", "exchange_student", "researcher"):
        case.permit_expires_on = today + timedelta(days=rng.randint(-10, 200))
    if status in ("schengen_visa", "visa_free"):
        case.entry_on, case.days_used = today - timedelta(days=rng.randint(5, 80)), rng.randint(0, 30)
    if status in ("student", "exchange_student"):
        case.degree_country = rng.choice(["none", "NL", "RU", "unknown"])
    if status == "researcher":
        case.research_permit = rng.choice(["yes", "no", "unknown"])
    if status == "asylum_pending":
        case.asylum_applied_on = opened - timedelta(days=rng.randint(1, 60))  # applied before asking for help
    db.session.add(case)
    db.session.flush()
    case.created_at = datetime.combine(opened, datetime.min.time())
    operations.refresh_coded_facts(case)
    # The trail a real intake leaves (S15), so that the audit pages and their benchmarks see one.
    audit.record("case_created", actor=actor, case=case)
    if assignee is not None:
        audit.record("case_assigned", actor=actor, case=case, target=assignee)
    return case
