"""One human, one contribution: who a period's release counts (statistics.md, point 1).

A returning person logged again is a second person record, flagged as a possible duplicate until a
coordinator decides, and resolving a duplicate moves a case to another record. Counting records
would count such a human twice (twice in one quarter, or once in each of two), and a resolution
would move a record's first intake to another quarter. So the unit counted is a *group*: records
joined, directly or through others, by a shared blind index (the same identifier: e-mail, phone,
Telegram, passport, name, or surname and birth year, which is what makes a possible duplicate)
that belongs to an unresolved possible duplicate. A group counts once, in the quarter of its first
intake, with the facts of that first case. Records a coordinator has judged to be different people
(the flag cleared, or a new record chosen at intake) are not joined by what they share: otherwise
namesakes born in one year would join, and through them others, into groups that grow with the
number of people and count thousands as one.

The first release that counts a group stores the quarter for every record in it
(`CountedPerson`); from then on a record of that group never counts again, whichever release
comes, even if it joined the group later or the link is gone. Two people who share an identifier
while one of them is a possible duplicate (brothers with one phone) count as one: that only lowers
the count.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import String, and_, any_, bindparam, func, insert, select
from sqlalchemy import case as when

from casework.database import on_postgresql
from casework.extensions import db
from casework.models import BlindIndex, Case, CountedPerson

#: Rows a statement carries at a time: the ids of an IN list, or the rows of one executemany.
CHUNK = 1000


@dataclass
class Plan:
    """Who one period's release counts, and the quarters it fixes."""

    period: str
    #: One person id per group counted in the period: that record's first case gives the facts.
    counted: set[str] = field(default_factory=set)
    #: Records whose quarter this release fixes, with that quarter.
    fixed: dict[str, str] = field(default_factory=dict)


def _linked_people():
    """(person id, index name, digest) of every blind index that links records: one that more than
    one person has, one of them with a case still flagged as a possible duplicate. As a subquery."""
    unresolved = select(Case.person_id).where(Case.possible_duplicate)
    shared = (
        select(BlindIndex.name, BlindIndex.digest)
        .group_by(BlindIndex.name, BlindIndex.digest)
        .having(
            func.count(BlindIndex.person_id.distinct()) > 1,
            func.max(when((BlindIndex.person_id.in_(unresolved), 1), else_=0)) == 1,
        )
        .subquery()
    )
    return (
        select(BlindIndex.person_id, BlindIndex.name, BlindIndex.digest)
        .join(shared, and_(BlindIndex.name == shared.c.name, BlindIndex.digest == shared.c.digest))
        .subquery()
    )


def linked_groups() -> dict[str, frozenset[str]]:
    """Each person linked to someone (see `_linked_people`), mapped to their whole group (connected
    components of the "shares a linking identifier" relation; people in no group are absent)."""
    linked = _linked_people()
    parent: dict[str, str] = {}

    def root(person: str) -> str:
        while parent.setdefault(person, person) != person:
            parent[person] = parent[parent[person]]
            person = parent[person]
        return person

    first_of_key: dict[tuple[str, bytes], str] = {}
    for person_id, name, digest in db.session.execute(select(linked.c.person_id, linked.c.name, linked.c.digest)):
        other = first_of_key.setdefault((name, bytes(digest)), person_id)
        parent[root(person_id)] = root(other)
    members: dict[str, set[str]] = defaultdict(set)
    for person in parent:
        members[root(person)].add(person)
    return {person: frozenset(group) for group in map(frozenset, members.values()) for person in group}


def _first_intakes(person_ids) -> dict[str, tuple[datetime, str]]:
    """(created_at, case id) of each person's first case, as the catalogue orders intakes."""
    firsts: dict[str, tuple[datetime, str]] = {}
    for person_id, created_at, case_id in db.session.execute(
        select(Case.person_id, Case.created_at, Case.id).where(Case.person_id.in_(person_ids))
    ):
        firsts[person_id] = min(firsts.get(person_id, (created_at, case_id)), (created_at, case_id))
    return firsts


def _fixed_among(people: list[str]) -> dict[str, str]:
    """The quarter a release fixed before for each of `people`, looked up by primary key: the cost
    follows the period's people on both databases. On PostgreSQL in one statement, the ids as one
    array; on SQLite a chunk of ids at a time (one statement joining the period's cases instead made
    SQLite gather every case of the period first: 0.5-0.75 s against 0.3 s at a million cases)."""
    lookup = select(CountedPerson.person_id, CountedPerson.period)
    if on_postgresql():
        # 110 statements of 1,000 ids each took 0.5-1.0 s at a million cases. The ids go as one
        # comma-separated string (person ids are UUIDs): psycopg quotes an array's strings one by one
        # in Python (0.37 s). No ids make an empty array, which matches nothing.
        ids = func.string_to_array(bindparam("people", ",".join(people), String), ",")
        return dict(db.session.execute(lookup.where(CountedPerson.person_id == any_(ids))).all())
    fixed: dict[str, str] = {}
    for start in range(0, len(people), CHUNK):
        fixed.update(db.session.execute(lookup.where(CountedPerson.person_id.in_(people[start : start + CHUNK]))).all())
    return fixed


def plan(period: str, candidates: set[str]) -> Plan:
    """Which of the `candidates`, the people whose own first intake is in `period`, the release counts.

    The caller reads the period's first cases once and passes their people, so that this step does
    not read them again. Someone already fixed to a quarter is not counted; someone in a group is
    counted only as the group's first intake, and only if no record of the group was fixed by an
    earlier release. A group whose first intake lies in an earlier quarter is left to that quarter's
    release.
    """
    groups = linked_groups()
    linked_ids = select(_linked_people().c.person_id)
    already = dict(
        db.session.execute(
            select(CountedPerson.person_id, CountedPerson.period).where(CountedPerson.person_id.in_(linked_ids))
        ).all()
    )
    already.update(_fixed_among(list(candidates)))
    intakes = _first_intakes(linked_ids)
    result = Plan(period)
    for person in candidates:
        if person in already:
            continue
        group = groups.get(person)
        if group is None:
            result.counted.add(person)
            result.fixed[person] = period
            continue
        earlier = sorted(already[member] for member in group if member in already)
        if earlier:
            result.fixed[person] = earlier[0]
        elif min((intakes[m], m) for m in group if m in intakes)[1] == person:
            result.counted.add(person)
            result.fixed.update(dict.fromkeys(group - already.keys(), period))
    return result


def fix(decided: Plan) -> None:
    """Store the quarters a release fixed, in the release's own transaction: a row per person counted,
    110,000 at a million cases, in id order (the primary key's index takes them in order: in psql
    an INSERT ... SELECT of as many rows took 1.4 s sorted against 2.1 s shuffled, 1.0 s of it
    checking each row's person, a check kept).
    PostgreSQL takes them by COPY (as executemany inserts of 1,000 rows a statement they took
    2.5 s); SQLite by plain executemany inserts (the ORM's bulk path took 1.4 s against 0.8 s)."""
    rows = sorted(decided.fixed.items())
    if on_postgresql():
        driver = db.session.connection().connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(f"COPY {CountedPerson.__tablename__} (person_id, period) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    for start in range(0, len(rows), CHUNK):
        chunk = [{"person_id": person, "period": period} for person, period in rows[start : start + CHUNK]]
        db.session.execute(insert(CountedPerson.__table__), chunk)
