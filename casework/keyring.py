"""The two keyrings (key-encryption keys and blind-index roots): where they live and how they change.

Keys come from a JSON key file outside the database (``CASEWORK_KEY_FILE``, created 0600 by
``flask --app casework keys init``) or, for secret managers, from ``CASEWORK_KEYS`` holding the same
JSON. They are never written to the database. The file is re-read when it changes, so a rotation
run from the command line is picked up by the running app without a restart.
"""

import base64
import binascii
import json
import os
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, g, has_request_context

from casework.config import ConfigError
from casework.crypto import KEY_BYTES, new_key
from casework.files import write_atomically

RINGS = ("kek", "index", "audit")
RING_NAMES = {"kek": "key-encryption keys", "index": "blind-index roots", "audit": "audit-chain keys"}
MAX_VERSION = 255


@dataclass(frozen=True)
class Keyring:
    keys: dict[int, bytes]

    @property
    def current_version(self) -> int:
        return max(self.keys)

    @property
    def current(self) -> bytes:
        return self.keys[self.current_version]

    def get(self, version: int) -> bytes:
        try:
            return self.keys[version]
        except KeyError:
            raise ConfigError(f"Key version {version} is not in the key file any more.") from None


@dataclass(frozen=True)
class Keys:
    kek: Keyring
    index: Keyring
    audit: Keyring


def _problem(source: str, what: str) -> ConfigError:
    return ConfigError(
        f"The encryption keys in {source} are unusable: {what}. Restore the key file from its backup, "
        "or on a new installation create one with `flask --app casework keys init`."
    )


def parse_keys(text: str, source: str) -> Keys:
    """Parse and check key-file JSON; every way it can be unsafe is refused with a clear message (S19)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        raise _problem(source, "it is not valid JSON") from None
    rings = {}
    for ring in RINGS:
        entries = document.get(ring) if isinstance(document, dict) else None
        if not isinstance(entries, dict) or not entries:
            raise _problem(source, f"there are no {RING_NAMES[ring]}")
        keys = {}
        for version, encoded in entries.items():
            if not str(version).isdigit() or not 1 <= int(version) <= MAX_VERSION:
                raise _problem(source, f"{version!r} is not a key version from 1 to {MAX_VERSION}")
            try:
                raw = base64.b64decode(encoded, validate=True)
            except (binascii.Error, TypeError, ValueError):
                raise _problem(source, f"{RING_NAMES[ring]} version {version} is not base64") from None
            if len(raw) != KEY_BYTES:
                raise _problem(source, f"{RING_NAMES[ring]} version {version} is not {KEY_BYTES} bytes long")
            keys[int(version)] = raw
        if len(set(keys.values())) != len(keys):
            raise _problem(source, f"two {RING_NAMES[ring]} are the same")
        rings[ring] = Keyring(keys)
    if set(rings["kek"].keys.values()) & set(rings["index"].keys.values()):
        raise _problem(source, "an index key is the same as an encryption key")
    if set(rings["audit"].keys.values()) & (set(rings["kek"].keys.values()) | set(rings["index"].keys.values())):
        raise _problem(source, "an audit-chain key is the same as another key")
    return Keys(**rings)


def dump_keys(keys: Keys) -> str:
    return json.dumps(
        {ring: {str(v): base64.b64encode(k).decode() for v, k in getattr(keys, ring).keys.items()} for ring in RINGS},
        indent=2,
    )


def write_key_file(path: Path, keys: Keys, *, new: bool = False) -> None:
    """Write the key file readable by its owner only; atomically, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if new:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(dump_keys(keys))
        return
    write_atomically(path, dump_keys(keys).encode("utf-8"))


def generate_keys() -> Keys:
    return Keys(**{ring: Keyring({1: new_key()}) for ring in RINGS})


def add_missing_rings(path: Path) -> list[str]:
    """Give a key file from an older Casework the rings it lacks; the keys it has are kept as they are."""
    document = json.loads(path.read_text())
    missing = [ring for ring in RINGS if not document.get(ring)]
    for ring in missing:
        document[ring] = {"1": base64.b64encode(new_key()).decode()}
    if missing:
        write_key_file(path, parse_keys(json.dumps(document), str(path)))
    return missing


def with_version(keys: Keys, ring: str, version: int, key: bytes) -> Keys:
    """The keys with `key` added to `ring` as `version`."""
    if version > MAX_VERSION:
        raise ConfigError(f"The {RING_NAMES[ring]} have reached version {MAX_VERSION}.")
    added = Keyring({**getattr(keys, ring).keys, version: key})
    return Keys(**{**{r: getattr(keys, r) for r in RINGS}, ring: added})


def with_new_version(keys: Keys, ring: str) -> Keys:
    return with_version(keys, ring, getattr(keys, ring).current_version + 1, new_key())


def without_version(keys: Keys, ring: str, version: int) -> Keys:
    current = getattr(keys, ring)
    if version == current.current_version:
        raise ConfigError("The current key cannot be removed; rotate to a new one first.")
    remaining = Keyring({v: k for v, k in current.keys.items() if v != version})
    return Keys(**{**{r: getattr(keys, r) for r in RINGS}, ring: remaining})


class KeyStore:
    """The keys of one app, re-read from the key file whenever the file changes."""

    def __init__(self, path: Path | None, environment_value: str | None, production: bool):
        self.path = path
        self._environment_value = environment_value
        self._production = production
        self._lock = threading.Lock()
        self._stamp = None
        self._keys: Keys | None = None
        #: Called with keys read for the first time or changed on disk; raises if they do not fit the
        #: database, returns whether there was a database to check. `_checked` is the stamp of the
        #: file it last accepted.
        self.verifier: Callable[[Keys], bool] | None = None
        self._checked = None
        self.keys()

    @property
    def writable(self) -> bool:
        return self._environment_value is None

    def keys(self) -> Keys:
        keys = self._read()
        if self.verifier is not None and self._checked != self._stamp:
            with self._lock:
                if self._checked != self._stamp and self.verifier(keys):
                    self._checked = self._stamp
        return keys

    def unchecked(self) -> Keys:
        """The keys as they are in the file, whether or not they fit the database (`keys status`)."""
        return self._read()

    def accept(self) -> None:
        """The keys as read now were checked against the database (at start-up)."""
        self._checked = self._stamp

    def _read(self) -> Keys:
        if self._environment_value is not None:
            if self._keys is None:
                self._keys = parse_keys(self._environment_value, "CASEWORK_KEYS")
                self._stamp = "environment"
            return self._keys
        try:
            info = self.path.stat()
        except FileNotFoundError:
            raise ConfigError(
                f"No key file at {self.path}. Create one with `flask --app casework keys init` "
                "(new installation) or restore it from its backup."
            ) from None
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        with self._lock:
            if stamp != self._stamp:
                if self._production and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                    raise ConfigError(f"The key file {self.path} is readable by others: chmod 600 it.")
                try:
                    text = self.path.read_text()
                except OSError:
                    raise ConfigError(f"The key file {self.path} cannot be read by this user.") from None
                self._keys, self._stamp = parse_keys(text, str(self.path)), stamp
            return self._keys

    def save(self, keys: Keys) -> None:
        if not self.writable:
            raise ConfigError("The keys come from CASEWORK_KEYS; change them where that variable is kept.")
        write_key_file(self.path, keys)
        if has_request_context():
            g.pop(_REQUEST_KEYS, None)


def init_keys(app: Flask) -> None:
    """Load the keys at start-up: the app refuses to start without usable keys (S19). Whether they
    are the keys the database was written with is `casework.key_checks`' part."""
    path = Path(app.config["CASEWORK_KEY_FILE"])
    app.extensions["casework_keys"] = KeyStore(path, app.config.get("CASEWORK_KEYS"), app.config["CASEWORK_ENV"] == "production")


def key_store() -> KeyStore:
    return current_app.extensions["casework_keys"]


#: Where a request keeps the keys it read first (flask.g), so that a page decrypting 25 people does
#: not look at the key file 25 times; the next request sees a rotation made meanwhile.
_REQUEST_KEYS = "casework_request_keys"


def current_keys() -> Keys:
    if not has_request_context():
        return key_store().keys()
    keys = g.get(_REQUEST_KEYS)
    if keys is None:
        keys = key_store().keys()
        setattr(g, _REQUEST_KEYS, keys)
    return keys
