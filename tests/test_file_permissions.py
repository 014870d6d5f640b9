"""The SQLite file and the instance folder are readable by the service user only, whatever the umask."""

import os
import stat

import pytest
from sqlalchemy import text

from casework import create_app, database
from casework.extensions import db


@pytest.fixture
def open_umask():
    """The common default umask, under which files come out world-readable."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _sqlite_app(settings, path):
    app = create_app({**settings, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.session.execute(text("CREATE TABLE probe (id INTEGER)"))
        db.session.commit()
        db.engine.dispose()
    return app


def test_a_new_sqlite_file_and_its_folder_are_private(settings, tmp_path, open_umask):
    path = tmp_path / "instance" / "casework.sqlite"
    _sqlite_app(settings, path)
    assert _mode(path.parent) == 0o700
    assert _mode(path) == 0o600
    for companion in path.parent.iterdir():
        assert _mode(companion) & 0o077 == 0, companion.name


def test_an_existing_world_readable_sqlite_file_is_made_private(settings, tmp_path, open_umask):
    path = tmp_path / "casework.sqlite"
    path.touch(mode=0o644)
    _sqlite_app(settings, path)
    assert _mode(path) == 0o600


def test_an_existing_instance_folder_is_made_private(settings, tmp_path, open_umask, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o755)
    monkeypatch.setattr(database, "INSTANCE_DIR", instance)
    _sqlite_app(settings, instance / "casework.sqlite")
    assert _mode(instance) == 0o700
