"""The uploaded file, sealed: never on disk or in the database in plaintext, gone when the run ends.

Each run gets a random key, wrapped by the current key-encryption key exactly as a person's data key
is; the file is sealed under it (AES-GCM, bound to the run) in `imports/` inside the document folder,
and so are the file's name, the source label and the dry run's report. Ending a run deletes the file
after the commit and drops the wrapped key, so a copy of the file left anywhere (a backup of the
folder) no longer decrypts.
"""

import json
from pathlib import Path

from flask import current_app

from casework.crypto import FieldPlace, decrypt_field, encrypt_field, new_key, unwrap_data_key, wrap_data_key
from casework.extensions import db
from casework.files import write_atomically
from casework.keyring import current_keys
from casework.models.imports import ImportRun
from casework.people.documents import WRITTEN, release_after_commit

#: Sealed values of a run carry this version byte; the run's key is never rotated, only shredded.
VERSION = 1


def folder() -> Path:
    """Where sealed uploads are; made (readable by us only) when the first one is written."""
    return Path(current_app.config["CASEWORK_DOCUMENT_DIR"]) / "imports"


def file_path(run: ImportRun) -> Path:
    return folder() / f"{run.id}.sealed"


def give_key(run: ImportRun) -> None:
    keys = current_keys()
    key = new_key()
    run.kek_version, run.wrapped_key = (
        keys.kek.current_version,
        wrap_data_key(keys.kek.current, keys.kek.current_version, key, run.id),
    )
    run.__dict__["_run_key"] = key


def _key(run: ImportRun) -> bytes:
    if "_run_key" not in run.__dict__:
        run.__dict__["_run_key"] = unwrap_data_key(
            current_keys().kek.get(run.kek_version), run.kek_version, run.wrapped_key, run.id
        )
    return run.__dict__["_run_key"]


def seal(run: ImportRun, what: str, data: bytes) -> bytes:
    return encrypt_field(_key(run), VERSION, FieldPlace(ImportRun.__tablename__, what, run.id, run.id), data)


def unseal(run: ImportRun, what: str, sealed: bytes) -> bytes:
    return decrypt_field(_key(run), FieldPlace(ImportRun.__tablename__, what, run.id, run.id), sealed)


def store_file(run: ImportRun, name: str, content: bytes, source: str) -> None:
    """Seal the upload, its name and the source label; a transaction rolled back deletes the file."""
    give_key(run)
    run.sealed_name = seal(run, "name", name.encode())
    run.sealed_source = seal(run, "source", source.encode())
    path = file_path(run)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    db.session.info.setdefault(WRITTEN, set()).add(path)
    write_atomically(path, seal(run, "file", content))


def set_source(run: ImportRun, text: str) -> None:
    run.sealed_source = seal(run, "source", text.encode())


def set_report(run: ImportRun, rows: list[dict] | None) -> None:
    run.sealed_report = None if rows is None else seal(run, "report", json.dumps(rows, ensure_ascii=False).encode())


def report(run: ImportRun) -> list[dict] | None:
    return json.loads(unseal(run, "report", run.sealed_report)) if run.sealed_report and run.wrapped_key else None


def read_file(run: ImportRun) -> bytes:
    return unseal(run, "file", file_path(run).read_bytes())


def file_name(run: ImportRun) -> str:
    return unseal(run, "name", run.sealed_name).decode() if run.wrapped_key else ""


def source(run: ImportRun) -> str:
    return unseal(run, "source", run.sealed_source).decode() if run.wrapped_key else ""


def shred(run: ImportRun) -> None:
    """The file goes once the transaction commits; the key and the sealed labels go with this one."""
    release_after_commit([file_path(run)])
    run.wrapped_key = run.kek_version = run.sealed_name = run.sealed_source = run.sealed_report = None
    run.__dict__.pop("_run_key", None)
