"""The rules of an import run: upload, the saved layout and value mappings, ending, expiry.

Each function changes the models, writes its audit row where personal data is involved, and flushes;
the request (or the command) commits. The rows themselves are read and checked in `rows` and
created in `importing`, which use the intake form's validation.
"""

import json
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from casework import audit
from casework.clock import utcnow
from casework.crypto import blind_index, keyed_digest
from casework.extensions import db
from casework.imports import facts, sealing
from casework.imports.sheets import Sheet, read_sheet
from casework.keyring import current_keys
from casework.models import User
from casework.models.encrypted import new_id
from casework.models.imports import OVER, ImportLayout, ImportRun


def header_hash(headers, index_root: bytes) -> str:
    """The layout's key: a keyed digest of the header row, each name normalised, in order. Keyed,
    because a sheet saved without a header row has a person's row where the header should be."""
    row = "\x1f".join(facts.normal(header) for header in headers)
    return keyed_digest(index_root, ImportLayout.__tablename__, "header", row).hex()


def start_run(actor: User, name: str, content: bytes) -> tuple[ImportRun, Sheet]:
    """Read the upload (or raise `SheetRefused`), then keep it sealed for the steps that follow."""
    sheet = read_sheet(content, current_app.config["CASEWORK_IMPORT_MAX_ROWS"])
    run = ImportRun(
        id=new_id(),
        created_by_id=actor.id,
        expires_at=utcnow() + timedelta(hours=current_app.config["CASEWORK_IMPORT_HOURS"]),
        row_count=len(sheet.rows),
    )
    sealing.store_file(run, name, content, name)
    run.layout = layout_for(sheet.headers)
    db.session.add(run)
    db.session.flush()
    return run, sheet


def load_sheet(run: ImportRun) -> Sheet:
    return read_sheet(sealing.read_file(run), max(run.row_count, current_app.config["CASEWORK_IMPORT_MAX_ROWS"]))


def layout_for(headers) -> ImportLayout | None:
    """The layout saved for this header row, under the current index root or one still in the ring
    (saving it again keys it under the current one)."""
    hashes = [header_hash(headers, root) for root in current_keys().index.keys.values()]
    return db.session.scalar(select(ImportLayout).where(ImportLayout.header_hash.in_(hashes)))


def save_layout(run: ImportRun, headers, columns: list[str], actor: User) -> ImportLayout:
    """Remember which fact each column holds, for this run and the next file with the same header row."""
    unknown = set(columns) - set(facts.FACTS) - {""}
    if unknown:
        raise ValueError(f"not importable facts: {sorted(unknown)}")
    layout = layout_for(headers) or ImportLayout(values="{}")
    layout.header_hash = header_hash(headers, current_keys().index.current)
    layout.columns, layout.updated_by_id = json.dumps(columns), actor.id
    db.session.add(layout)
    run.layout = layout
    db.session.flush()
    return layout


def value_digest(fact: str, normal: str) -> str:
    """A hand-mapped cell as kept: a keyed digest, so the layout holds no cell a person typed."""
    return blind_index(current_keys().index.current, ImportLayout.__tablename__, fact, normal).hex()


def map_values(layout: ImportLayout, mapped: dict[str, dict[str, str]]) -> None:
    """Add the coordinator's answers {fact: {normalised cell: code}} to the layout's value mappings."""
    version = current_keys().index.current_version
    digests = layout.value_digests if layout.index_version == version else {}
    for fact, values in mapped.items():
        allowed = {code for code, _label in facts.CODED.get(fact, [])}
        for normal, code in values.items():
            if fact != "other_citizenship" and code not in allowed:
                raise ValueError(f"{code!r} is not a choice of {fact}")
            digests.setdefault(fact, {})[value_digest(fact, normal)] = code
    layout.values, layout.index_version = json.dumps(digests, sort_keys=True), version
    db.session.flush()


def forget_values_under_old_index(version: int) -> int:
    """Drop the remembered values of every layout kept under another index root than `version`, and
    say how many layouts lost theirs. After an index rotation they match nothing (a digest cannot be
    recomputed without its cell, which is not kept), yet would let whoever holds the old root test
    guessed cells; coordinators map those values again at the next import of the layout."""
    stale = select(ImportLayout).where(ImportLayout.index_version.is_not(None), ImportLayout.index_version != version)
    layouts = db.session.scalars(stale).all()
    for layout in layouts:
        layout.values, layout.index_version = "{}", None
    return len(layouts)


def resolver(layout: ImportLayout | None):
    """`resolve(fact, normalised cell)` -> the code the coordinator mapped it to, or None."""
    if layout is None or layout.index_version != current_keys().index.current_version:
        return lambda _fact, _normal: None
    digests = layout.value_digests
    return lambda fact, normal: digests.get(fact, {}).get(value_digest(fact, normal))


def columns_of(run: ImportRun) -> list[str]:
    return run.layout.facts if run.layout else []


def end_run(run: ImportRun, state: str) -> None:
    """The run is over: its file is deleted after the commit and its key shredded now."""
    sealing.shred(run)
    run.state, run.finished_at = state, utcnow()


def abandon(run: ImportRun, actor: User) -> None:
    if run.over:
        return
    end_run(run, "abandoned")
    audit.record("import_abandoned", actor=actor, detail=run.id)


def abandon_unfinished(actor: User) -> int:
    """End every unfinished run, as an erasure on request does (S6): a run's sealed file and dry-run
    report may hold the person, and importing it would bring them back as a new record; which rows
    are theirs is not known without reading every file. How many runs ended. A run the worker is
    importing at that moment goes on from the rows it has already read."""
    runs = db.session.scalars(select(ImportRun).where(ImportRun.state.not_in(OVER))).all()
    for run in runs:
        abandon(run, actor)
    return len(runs)


def expire_runs() -> int:
    """End every unfinished run past its expiry (called by `flask documents sweep`); how many."""
    expired = db.session.scalars(select(ImportRun).where(ImportRun.state.not_in(OVER), ImportRun.expires_at < utcnow())).all()
    for run in expired:
        end_run(run, "expired")
        audit.record("import_expired", detail=run.id)
    return len(expired)


def stray_files(min_age_seconds: float) -> list:
    """Sealed uploads no live run refers to (a crash between writing one and committing its run)."""
    if not sealing.folder().is_dir():
        return []
    live = set(db.session.scalars(select(ImportRun.id).where(ImportRun.wrapped_key.is_not(None))))
    cutoff = utcnow().timestamp() - min_age_seconds
    return sorted(path for path in sealing.folder().iterdir() if path.stem not in live and path.stat().st_mtime <= cutoff)


def unfinished_runs() -> list[ImportRun]:
    return db.session.scalars(select(ImportRun).where(ImportRun.state.not_in(OVER)).order_by(ImportRun.created_at)).all()
