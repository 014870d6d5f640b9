"""The encrypted document store: files under `CASEWORK_DOCUMENT_DIR`, sealed with the person's data key.

A file's name is its document id, the data-key generation it is sealed under and a tag derived from
that data key (so a file in use is never overwritten), never its original name; the type is checked from the content against an allow-list, whatever the file claims to be.

Files follow the database transaction: a file that a change stops referring to (an erased person's,
or one superseded by re-encryption) is deleted only after that change is committed, and a file
written by a transaction that is rolled back is deleted with the rollback. A crash in between leaves
at worst a file that no row refers to, which `flask --app casework documents sweep` removes; never a
row without its file.
"""

from pathlib import Path

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction, joinedload

from casework.crypto import FieldPlace, decrypt_field, encrypt_field, file_tag
from casework.extensions import db
from casework.files import write_atomically
from casework.i18n import _
from casework.models import Document, Person

#: What a file must start with to be accepted, by content type.
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


class DocumentRefused(ValueError):
    """The upload is not accepted; the message is translated and safe to show."""


def detect_type(data: bytes) -> str | None:
    return next((kind for kind, starts in SIGNATURES.items() if data.startswith(starts)), None)


def _folder() -> Path:
    folder = Path(current_app.config["CASEWORK_DOCUMENT_DIR"])
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def file_name(document: Document) -> str:
    """The document id, the data-key generation and a tag derived from the data key: a document
    sealed under another key (a rotation, a move to another person) gets a new name."""
    person = document.person
    return f"{document.id}.v{person.dek_version}.{file_tag(person.data_key(), document.id)}"


def legacy_name(document: Document) -> str:
    """The name files had before it carried the tag; still read until the document is next sealed."""
    return f"{document.id}.v{document.person.dek_version}"


def file_path(document: Document, folder: Path | None = None) -> Path:
    """Where the document's file is; `folder` is another store than the app's (a restored backup)."""
    folder = folder or _folder()
    path = folder / file_name(document)
    return folder / legacy_name(document) if not path.exists() and (folder / legacy_name(document)).exists() else path


def names_per_document(session: Session) -> list[tuple[str, str]]:
    """For each document row, the names its file may have: the current form, then the older one."""
    documents = session.scalars(select(Document).options(joinedload(Document.person)))
    return [(file_name(document), legacy_name(document)) for document in documents]


def referenced_names(session: Session) -> set[str]:
    """Every name a document row may refer to, so that neither form is taken for a stray file."""
    return {name for names in names_per_document(session) for name in names}


def _place(document: Document) -> FieldPlace:
    return FieldPlace(Document.__tablename__, "content", document.id, document.person.id)


#: `Session.info` keys: files to delete once the transaction commits, and once it is rolled back.
RELEASED, WRITTEN = "casework_files_released", "casework_files_written"


def release_after_commit(paths) -> None:
    """Delete these files once the current transaction commits; keep them if it is rolled back."""
    db.session.info.setdefault(RELEASED, set()).update(paths)


@event.listens_for(db.session, "after_commit")
def _delete_released_files(session: Session) -> None:
    if session.in_nested_transaction():
        return
    session.info.pop(WRITTEN, None)
    _remove(session.info.pop(RELEASED, ()))


@event.listens_for(db.session, "after_transaction_end")
def _delete_written_files(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ended without a commit (rolled back or closed) keeps the released files;
    the files it wrote belong to no row."""
    if transaction.parent is not None:
        return
    session.info.pop(RELEASED, None)
    _remove(session.info.pop(WRITTEN, ()))


def _remove(paths) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def write_sealed(document: Document, data: bytes) -> None:
    """Seal `data` with the person's current data key and write it atomically, readable by us only.

    The document's files under other generations are superseded: deleted once this is committed.
    """
    person = document.person
    sealed = encrypt_field(person.data_key(), person.dek_version, _place(document), data)
    target = _folder() / file_name(document)
    release_after_commit(path for path in _files_of(document.id) if path != target)
    if not target.exists():
        db.session.info.setdefault(WRITTEN, set()).add(target)
    write_atomically(target, sealed)


def store_document(person: Person, original_name: str, data: bytes) -> Document:
    if len(data) > current_app.config["CASEWORK_DOCUMENT_MAX_BYTES"]:
        limit = current_app.config["CASEWORK_DOCUMENT_MAX_BYTES"] // (1024 * 1024)
        raise DocumentRefused(_("The file is larger than the limit of %(mb)d MB.", mb=limit))
    content_type = detect_type(data)
    if content_type is None:
        raise DocumentRefused(_("Only PDF, JPEG and PNG files are accepted."))
    document = Document(person=person, content_type=content_type, original_name=original_name)
    db.session.add(document)
    write_sealed(document, data)
    return document


def read_document(document: Document, folder: Path | None = None) -> bytes:
    return decrypt_field(document.person.data_key(), _place(document), file_path(document, folder).read_bytes())


def _files_of(document_id: str) -> list[Path]:
    return list(_folder().glob(f"{document_id}.v*"))


def delete_after_commit(document: Document) -> None:
    """The document's row is being deleted: its files go once that is committed."""
    release_after_commit(_files_of(document.id))
