"""Spreadsheet imports: a saved column layout, an import run, and what became of each row.

A run holds the uploaded file only while it lives: the file is sealed under the run's own key
(wrapped by a key-encryption key, like a person's data key) in the document folder, and when the run
ends, is abandoned or expires, the file is deleted and the run's key is shredded, so no copy of the
file (in a backup, say) decrypts any more. What stays is coded: the mapping of columns to facts,
counts, and per row a state, the names of the facts that failed and the case it became. The source
the coordinator vouched for is kept with each created case, encrypted under that person's key.
"""

import json
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.clock import utcnow
from casework.extensions import db
from casework.models.case import Case
from casework.models.encrypted import Encrypted, OwnedRecord, new_id
from casework.models.person import Person

#: A run's life: uploaded and being mapped, importing, stopped half-way, or over (with its file gone).
RUN_STATES = ("uploaded", "importing", "interrupted", "done", "abandoned", "expired")
OVER = ("done", "abandoned", "expired")


class ImportLayout(db.Model):
    """The facts a sheet's columns hold, saved under a keyed digest of its header row for the next
    import (`imports.operations.header_hash`).

    Values a coordinator mapped by hand are kept as keyed digests (a blind index of the cell), not
    as the cells themselves: a cell of a coded column may hold anything somebody typed.
    """

    __tablename__ = "import_layouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    header_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: JSON list: the fact each column holds, by position; "" for a column left out.
    columns: Mapped[str] = mapped_column(Text)
    #: JSON {fact: {digest (hex): code}}, under the blind-index root of `index_version`.
    values: Mapped[str] = mapped_column(Text, default="{}")
    index_version: Mapped[int | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def facts(self) -> list[str]:
        return json.loads(self.columns)

    @property
    def value_digests(self) -> dict[str, dict[str, str]]:
        return json.loads(self.values or "{}")


class ImportRun(db.Model):
    __tablename__ = "import_runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    state: Mapped[str] = mapped_column(String(16), default="uploaded")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: After this the file is deleted and the run can no longer go on (`imports.operations.expire_runs`).
    expires_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    layout_id: Mapped[int | None] = mapped_column(ForeignKey("import_layouts.id"))
    layout: Mapped[ImportLayout | None] = relationship()
    row_count: Mapped[int] = mapped_column(default=0)
    #: Who started the import, vouching that every person in the file consented earlier.
    vouched_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    vouched_at: Mapped[datetime | None]
    #: The run's key, wrapped like a person's data key; None once the run is over (shredded).
    kek_version: Mapped[int | None]
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: The file's name and the source label, sealed under the run's key (casework.imports.sealing).
    sealed_name: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed_source: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: The dry run's report (names, messages, matches), sealed under the run's key; None until the
    #: check job has run, and again after the columns or values change.
    sealed_report: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: The language the coordinator asked for the check in, for the report's messages.
    report_locale: Mapped[str | None] = mapped_column(String(8))

    @property
    def over(self) -> bool:
        return self.state in OVER


class ImportRow(OwnedRecord, db.Model):
    """One row of a run once it was handled: the case it became, or the facts that failed.

    Written in the same transaction as the row's case, and unique per run and row number, so a run
    resumed after an interruption skips what is done and can never create a row's case twice.
    """

    __tablename__ = "import_rows"
    __table_args__ = (UniqueConstraint("run_id", "row_number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    run_id: Mapped[str] = mapped_column(ForeignKey("import_runs.id"), index=True)
    row_number: Mapped[int]
    #: "created" or "refused".
    state: Mapped[str] = mapped_column(String(16))
    #: For a refused row: the names of the facts that failed, separated by commas (codes, no values).
    problems: Mapped[str | None] = mapped_column(String(1000))
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), index=True)
    case: Mapped[Case | None] = relationship()
    #: Where the coordinator says the person's earlier consent is recorded (the file, or their label).
    source = Encrypted()

    @property
    def crypto_person(self) -> Person:
        return self.case.person

    @classmethod
    def of_person(cls, person_id: str):
        return select(cls).join(cls.case).where(Case.person_id == person_id)
