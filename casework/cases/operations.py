"""The rules of casework: intake, editing, assignment, status, notes, referrals and duplicates.

Each function changes the models, writes its audit row and flushes; the request commits once. None
needs a request, so each is testable on its own.
"""

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from casework import audit, bounds, choices, clock
from casework.cases import consent, due
from casework.choices import OPEN_STATUSES
from casework.clock import utcnow
from casework.extensions import db
from casework.i18n import _l
from casework.models import Case, CaseTag, Consent, Document, Note, Partner, Person, Referral, User
from casework.models.encrypted import ENCRYPTED_MODELS, encrypted_attributes
from casework.people.documents import read_document, store_document, write_sealed
from casework.people.erasure import erase_person
from casework.people.search import find_by_surname, find_people
from casework.permissions import can, visible_cases
from casework.proposals import age_band
from casework.rules.tagging import tag_case

PERSON_FIELDS = (
    "surname_latin",
    "given_names_latin",
    "surname_cyrillic",
    "given_names_cyrillic",
    "alias",
    "date_of_birth",
    "birth_year_estimated",
    "sex",
    "citizenship",
    "other_citizenship",
    "languages",
    "phone",
    "email",
    "telegram",
    "signal",
    "passport_number",
    "address",
    "no_contact_details",
)
CASE_FIELDS = (
    "location",
    "city",
    "present_country_since",
    "military_situation",
    "deserted_on",
    "rank_group",
    "reserve_category",
    "specialty_code",
    "specialty_class",
    "fitness_category",
    "profession_class",
    "deferral",
    "deferral_until",
    "contact_kinds",
    "summons_purpose",
    "summons_posted_on",
    "summons_appear_on",
    "exit_ban",
    "exit_ban_on",
    "action",
    "written_evidence",
    "dutch_status",
    "visa_issuing_state",
    "visa_limited_validity",
    "entry_on",
    "days_used",
    "permit_expires_on",
    "degree_country",
    "degree_completed_on",
    "research_permit",
    "asylum_applied_on",
    "asylum_decided_on",
    "narrative",
)


class CaseRefused(Exception):
    """A change that the rules do not allow; the message is translated and safe to show."""


class StaleForm(CaseRefused):
    """The case changed since the form was opened; nothing was saved."""


def _clean(value):
    """Empty form input is stored as nothing, not as an empty string."""
    return None if value in ("", [], None) else value


def apply_person(person: Person, data: dict) -> None:
    for name in PERSON_FIELDS:
        if name in data:
            value = data[name]
            setattr(person, name, _clean(",".join(value) if isinstance(value, list) else value))


def apply_case(case: Case, data: dict) -> None:
    for name in CASE_FIELDS:
        if name in data:
            value = data[name]
            setattr(case, name, _clean(",".join(value) if isinstance(value, list) else value))
    if "needs" in data:
        case.needs = ",".join(data["needs"] or []) or None


def refresh_coded_facts(case: Case) -> None:
    """What follows from a case's facts on every save: deadlines, the age band at intake, proposal tags."""
    opened = (case.created_at or utcnow()).date()
    case.age_band = age_band(case.person.date_of_birth, opened)
    refresh_deadlines(case)
    tag_case(case)


def refresh_deadlines(case: Case) -> None:
    """Recompute the case's deadlines from its facts (encrypted, with a coarse band for lists)."""
    due.refresh_case(case)


def duplicates_for(data: dict, exclude: str | None = None) -> list:
    matches = find_people(
        email=data.get("email"),
        phone=data.get("phone"),
        telegram=data.get("telegram"),
        passport=data.get("passport_number"),
        surname=data.get("surname_latin") or data.get("surname_cyrillic"),
        given_names=data.get("given_names_latin") or data.get("given_names_cyrillic"),
        date_of_birth=data.get("date_of_birth"),
    )
    if data.get("surname_cyrillic") and data.get("surname_latin"):
        seen = {match.person.id for match in matches}
        other = find_people(
            surname=data["surname_cyrillic"],
            given_names=data.get("given_names_cyrillic"),
            date_of_birth=data.get("date_of_birth"),
        )
        matches += [match for match in other if match.person.id not in seen]
    return [match for match in matches if match.person.id != exclude]


def record_consent(person: Person, data: dict, actor: User | None) -> Consent:
    chosen = data.get("consent_partners") or []
    # Most intakes name no partner: no statement to find none.
    partners = db.session.scalars(select(Partner).where(Partner.id.in_(chosen))).all() if chosen else []
    consent = Consent(
        person=person,
        store=bool(data["consent_store"]),
        contact=bool(data.get("consent_contact")),
        partners=list(partners),
        method=data["consent_method"],
        recorded_by_id=actor.id if actor else None,
        expires_on=data.get("consent_expires_on"),
    )
    db.session.add(consent)
    return consent


def open_case(data: dict, actor: User | None, *, existing_person: Person | None = None) -> tuple[Case, Consent]:
    """Intake's rows: consent first, then the person (new or existing), then the case with its coded
    facts, all in one transaction; unassigned and not yet audited. `actor` is None for a request
    through an integration (casework.api.operations), which audits under its token instead."""
    if not data.get("consent_store"):
        raise CaseRefused(_l("Without consent to store the data nothing can be saved."))
    person = existing_person or Person()
    if existing_person is None:
        apply_person(person, data)
        db.session.add(person)
    consent = record_consent(person, data, actor)
    case = Case(person=person, created_by_id=actor.id if actor else None)
    apply_case(case, data)
    db.session.add(case)
    db.session.flush()
    refresh_coded_facts(case)
    return case, consent


def create_case(data: dict, actor: User, *, existing_person: Person | None = None) -> Case:
    """Intake by a volunteer or coordinator. A case a volunteer logs is assigned to them until a
    coordinator reassigns it."""
    case, _consent = open_case(data, actor, existing_person=existing_person)
    if not can(actor, "cases.see_all"):
        case.assignee_id = actor.id  # or they could not see the case they just logged
    audit.record("case_created", actor=actor, case=case)
    return case


def update_case(case: Case, data: dict, version: int, actor: User) -> None:
    """Save an edit, unless the case changed since the form was opened (never a silent overwrite)."""
    if int(version) != case.version:
        raise StaleForm(
            _l(
                "Someone else changed this case while you were editing. Nothing was saved: your input is kept below; compare it with the current case and save again."
            )
        )
    apply_person(case.person, data)
    apply_case(case, data)
    case.updated_at = utcnow()
    db.session.flush()
    refresh_coded_facts(case)
    audit.record("case_edited", actor=actor, case=case)


def assign(case: Case, volunteer: User, actor: User) -> None:
    if not can(volunteer, "cases.be_assigned"):
        raise CaseRefused(_l("Cases can only be assigned to active volunteers."))
    case.assignee_id = volunteer.id
    if case.status == "new":
        case.status = "triage"
    audit.record("case_assigned", actor=actor, case=case, target=volunteer)


def change_status(case: Case, status: str, outcome: str | None, actor: User) -> None:
    reopening = case.status == "closed" and status != "closed"
    case.status = status
    if status == "closed":
        case.outcome, case.closed_at = outcome, utcnow()
    elif reopening:
        case.outcome, case.closed_at = None, None
    audit.record("case_reopened" if reopening else "case_status_changed", actor=actor, case=case, detail=status)


def case_notes(case: Case, *, newest_first: bool = False) -> Select:
    """A case's notes, each with its author (whom every note names), oldest or newest first."""
    order = (Note.created_at.desc(), Note.id.desc()) if newest_first else (Note.created_at, Note.id)
    return select(Note).where(Note.case_id == case.id).order_by(*order).options(joinedload(Note.author))


def add_note(case: Case, body: str, actor: User, corrects: str | None = None) -> Note:
    if corrects and db.session.scalar(select(Note.id).where(Note.id == corrects, Note.case_id == case.id)) is None:
        raise CaseRefused(_l("The note to correct is not part of this case."))
    note = Note(case=case, author_id=actor.id, body=body, corrects_id=corrects or None)
    db.session.add(note)
    audit.record("note_added", actor=actor, case=case)
    return note


def attach_document(case: Case, filename: str, content: bytes, actor: User) -> Document:
    """Store an upload encrypted under the case's person, or raise `DocumentRefused`."""
    document = store_document(case.person, filename, content)
    document.case_id, document.uploaded_by_id = case.id, actor.id
    audit.record("document_uploaded", actor=actor, case=case)
    return document


#: A search shows at most this many cases, and asks to narrow it beyond.
SEARCH_LIMIT = 30
#: Birth years a surname-only search tries: nobody the foundation helps is older or younger.
OLDEST, YOUNGEST = 100, 14


def search_cases(
    reader: User, field: str, value: str, given_names: str | None = None, birth_year: int | None = None
) -> tuple[list[Case], bool]:
    """Cases of the people an exact search finds, among the cases `reader` may see, and whether there
    were more than SEARCH_LIMIT (then the search should be narrowed). A surname alone is allowed."""
    within = None if can(reader, "cases.see_all") else visible_cases(reader).with_only_columns(Case.person_id)
    if field == "name" and not (given_names or birth_year):
        this_year = clock.today().year
        matches = find_by_surname(value, range(this_year - OLDEST, this_year - YOUNGEST + 1), within)
    else:
        criteria = {"surname": value, "given_names": given_names, "birth_year": birth_year} if field == "name" else {field: value}
        matches = find_people(**criteria, within=within)
    people = {match.person.id for match in matches}
    if not people:
        return [], False
    found = db.session.scalars(
        visible_cases(reader)
        .where(Case.person_id.in_(people))
        .options(joinedload(Case.assignee))
        .order_by(Case.created_at)
        .limit(SEARCH_LIMIT + 1)
    ).all()
    return found[:SEARCH_LIMIT], len(found) > SEARCH_LIMIT


def may_share(person: Person, partner: Partner) -> bool:
    """Whether the person's consent in force covers sharing their case with this very partner (S18)."""
    return partner in consent.standing(person).shared_with


def refer(case: Case, partner: Partner, purpose: str, actor: User) -> Referral:
    """Only with the person's consent, in force, to share with this very partner (S18)."""
    if not may_share(case.person, partner):
        raise CaseRefused(_l("The person has not agreed to share their case with this partner."))
    if not partner.active:
        raise CaseRefused(_l("This partner is no longer active."))
    referral = Referral(case=case, partner=partner, purpose=purpose, referred_by_id=actor.id, referred_on=clock.today())
    db.session.add(referral)
    if case.status in OPEN_STATUSES:
        case.status = "referred"
    audit.record("case_referred", actor=actor, case=case, detail=str(partner.id))
    return referral


def withdraw_consent(case: Case, actor: User) -> None:
    """Every consent of the case's person ends now (recorded on the case it was done from)."""
    consent.withdraw_all(case, actor)


def erase(case: Case, actor: User) -> None:
    """Erase the case's person on request (S6): consent ends and their data key is shredded. The
    request also ends unfinished spreadsheet imports (`imports.operations.abandon_unfinished`), which
    sit above the cases and so are called by the erasing route."""
    audit.record("person_erased", actor=actor, case=case)
    consent.end_all(case.person_id)
    erase_person(case.person)


def move_case(case: Case, person: Person) -> None:
    """Attach a case (with its notes, referrals and documents) to another person: everything is
    re-encrypted under that person's data key, and what follows from the person's facts (deadlines
    from the date of birth, the age band, proposal tags) is recomputed at once, not at the next
    daily refresh."""
    rows = [case]
    for model in sorted(ENCRYPTED_MODELS - {Case, Document}, key=lambda model: model.__name__):
        if hasattr(model, "case_id"):
            rows += db.session.scalars(select(model).where(model.case_id == case.id)).all()
    values = [(row, name, getattr(row, name)) for row in rows for name in encrypted_attributes(type(row))]
    documents = db.session.scalars(select(Document).where(Document.case_id == case.id)).all()
    contents = [(document, document.original_name, read_document(document)) for document in documents]
    case.person = person
    for row, name, value in values:
        setattr(row, name, value)
    for document, name, content in contents:
        document.person = person
        document.original_name = name
        write_sealed(document, content)
    refresh_coded_facts(case)


def resolve_duplicate(case: Case, choice: str, actor: User) -> None:
    """A coordinator's answer to a possible duplicate: "different", or the id of the same person."""
    if choice != "different":
        person = db.session.get(Person, choice)
        if person is None or person.erased or choice not in {m.person.id for m in duplicates_of_case(case)}:
            raise CaseRefused(_l("That person is not one of the possible matches."))
        _same_person(case.person, person)
    case.possible_duplicate = False
    audit.record("duplicate_resolved", actor=actor, case=case, detail="different" if choice == "different" else "same")


def _same_person(old: Person, person: Person) -> None:
    """`old` is `person` logged again: every case of `old` moves over (one human, one record, so
    statistics count him once), what only `old` recorded fills what `person` lacks (a date of birth
    given only at the second intake, say), the consent histories join, and `old` is erased."""
    filled = {name: getattr(old, name) for name in PERSON_FIELDS if not getattr(person, name) and getattr(old, name)}
    for moved in db.session.scalars(select(Case).where(Case.person_id == old.id)).all():
        move_case(moved, person)
        moved.possible_duplicate = False
    consent.combine(old, person)
    consent.end_all(old.id)
    erase_person(old)
    if filled:
        for name, value in filled.items():
            setattr(person, name, value)
        for each in db.session.scalars(select(Case).where(Case.person_id == person.id)):
            refresh_coded_facts(each)


def duplicates_of_case(case: Case) -> list:
    person = case.person
    data = {name: getattr(person, name) for name in PERSON_FIELDS}
    return duplicates_for(data, exclude=person.id)


MAX_WINDOW_DAYS = 3650


def window_days(days: int | None) -> int | None:
    """A deadline window in days, kept within ten years (beyond that the calendar overflows)."""
    return None if days is None else max(1, min(days, MAX_WINDOW_DAYS))


def list_filters(args, user: User) -> dict:
    """The case list's filters from the query string, unknown values dropped; shown back in the form."""
    status = args.get("status", "open")
    return {
        "status": status if status == "open" or status == "all" or status in dict(choices.STATUSES) else "open",
        "need": args.get("need", "") if args.get("need", "") in dict(choices.NEEDS) else "",
        "assignee": bounds.whole_number(args, "assignee") if can(user, "cases.see_all") else None,
        "window": window_days(args.get("window", type=int)),
        "overdue": "1" if args.get("overdue") else "",
        "sort": "newest" if args.get("sort") == "newest" else "deadline",
        "proposal": args.get("proposal", ""),
        "rule": args.get("rule", ""),
        "left_out": "1" if args.get("left_out") else "",
    }


def case_list(user: User, filters: dict):
    """The cases this user may see that pass `filters`, in the chosen order."""
    query = visible_cases(user)
    if filters["status"] == "open":
        query = query.where(Case.status.in_(OPEN_STATUSES))
    elif filters["status"] != "all":
        query = query.where(Case.status == filters["status"])
    if filters["need"]:
        query = query.where(Case.needs.contains(filters["need"]))
    if filters["assignee"]:
        query = query.where(Case.assignee_id == filters["assignee"])
    if filters["proposal"] or filters["rule"] or filters["left_out"]:
        tags = select(CaseTag.case_id).where(CaseTag.holds)
        if filters["proposal"]:
            tags = tags.where(CaseTag.proposal == filters["proposal"])
        if filters["rule"]:
            tags = tags.where(CaseTag.rule_id == filters["rule"])
        if filters["left_out"]:
            tags = tags.where(CaseTag.left_out)
        query = query.where(Case.id.in_(tags))
    if filters["window"]:
        query = due.cases_due_within(query, filters["window"])
    if filters["overdue"]:
        query = due.cases_overdue(query)
    if filters["sort"] == "newest":
        return query.order_by(Case.created_at.desc())
    # Most urgent band first, then by intake: the exact dates are encrypted (S20).
    return query.order_by(Case.deadline_band.is_(None), Case.deadline_band, Case.created_at)
