"""All use of the `cryptography` package lives here, so that it can be reviewed in one place.

The key hierarchy (security.md, "Field encryption design"):

- two independent keyrings kept outside the database: key-encryption keys (KEKs) and blind-index
  roots, each ``{version: 32 random bytes}``; the highest version is the current one;
- per person, a random 256-bit data key (DEK), stored only wrapped by a KEK (AES-GCM, associated data
  ``dek|person id|KEK version``);
- per column, a field key derived from the DEK with HKDF (``enc|table|column``); each value is padded
  to a length bucket and sealed with AES-GCM under a fresh 96-bit random nonce, its associated data
  binding it to DEK version, table, column, row id and person id;
- per blind index, a key derived from an index root with HKDF (``index|table|name``); the index is a
  truncated HMAC-SHA256 of the normalised value.
"""

import base64
import hashlib
import hmac as std_hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12
#: Blind indexes keep 32 bits of the HMAC: enough that a lookup among a million people returns
#: a handful of candidates at most, which are then confirmed by decrypting them.
INDEX_BYTES = 4
#: Plaintexts are padded up to one of these sizes (then to whole KiB), so a ciphertext's length
#: says little about the value: a short surname and a long one look alike.
PAD_BUCKETS = (16, 32, 64, 128, 256, 512, 1024)


class DecryptionError(Exception):
    """A value could not be decrypted: wrong key, wrong place, or tampered. Never returns raw bytes."""


def derive_key(secret: str, purpose: str, length: int = 32) -> str:
    """Return a key (URL-safe base64) derived from `secret` for one `purpose` only."""
    return base64.urlsafe_b64encode(_hkdf(secret.encode(), f"casework|{purpose}", length)).decode("ascii")


def _hkdf(key: bytes, info: str, length: int = KEY_BYTES) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info.encode()).derive(key)


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


# Data keys ----------------------------------------------------------------------------------


def _dek_associated_data(person_id: str, kek_version: int) -> bytes:
    return f"dek|{person_id}|{kek_version}".encode()


def wrap_data_key(kek: bytes, kek_version: int, data_key: bytes, person_id: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(kek).encrypt(nonce, data_key, _dek_associated_data(person_id, kek_version))
    return nonce + sealed


def unwrap_data_key(kek: bytes, kek_version: int, wrapped: bytes, person_id: str) -> bytes:
    try:
        return AESGCM(kek).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], _dek_associated_data(person_id, kek_version))
    except InvalidTag as exc:
        raise DecryptionError("data key does not unwrap") from exc


# Field values -------------------------------------------------------------------------------


def pad(data: bytes) -> bytes:
    """ISO/IEC 7816-4 padding (0x80 then zeros) up to the next length bucket."""
    needed = len(data) + 1
    size = next((bucket for bucket in PAD_BUCKETS if bucket >= needed), -(-needed // 1024) * 1024)
    return data + b"\x80" + b"\x00" * (size - needed)


def unpad(padded: bytes) -> bytes:
    stripped = padded.rstrip(b"\x00")
    if not stripped.endswith(b"\x80"):
        raise DecryptionError("bad padding")
    return stripped[:-1]


def _field_key(data_key: bytes, table: str, column: str) -> bytes:
    """Derived afresh each time, never cached: a cache keyed by the data key would keep an erased
    person's key in memory after the wrapped copy is shredded (S6)."""
    return _hkdf(data_key, f"enc|{table}|{column}")


def _field_associated_data(version: int, table: str, column: str, row_id: str, person_id: str) -> bytes:
    return f"{version}|{table}|{column}|{row_id}|{person_id}".encode()


@dataclass(frozen=True)
class FieldPlace:
    """Where a value lives; its ciphertext only decrypts in exactly this place (S3)."""

    table: str
    column: str
    row_id: str
    person_id: str


def encrypt_field(data_key: bytes, version: int, place: FieldPlace, plaintext: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    associated = _field_associated_data(version, place.table, place.column, place.row_id, place.person_id)
    sealed = AESGCM(_field_key(data_key, place.table, place.column)).encrypt(nonce, pad(plaintext), associated)
    return bytes([version]) + nonce + sealed


def field_version(ciphertext: bytes) -> int:
    return ciphertext[0]


def decrypt_field(data_key: bytes, place: FieldPlace, ciphertext: bytes) -> bytes:
    if len(ciphertext) < 1 + NONCE_BYTES + 16:
        raise DecryptionError("ciphertext too short")
    version, nonce, sealed = ciphertext[0], ciphertext[1 : 1 + NONCE_BYTES], ciphertext[1 + NONCE_BYTES :]
    associated = _field_associated_data(version, place.table, place.column, place.row_id, place.person_id)
    try:
        return unpad(AESGCM(_field_key(data_key, place.table, place.column)).decrypt(nonce, sealed, associated))
    except InvalidTag as exc:
        raise DecryptionError("value does not decrypt in this place") from exc


# Document file names ------------------------------------------------------------------------


def file_tag(data_key: bytes, document_id: str) -> str:
    """Part of a document's file name that changes with the data key it is sealed under: a document
    sealed again under another key always gets a new file, never overwrites the one in use."""
    return std_hmac.new(_hkdf(data_key, "name|documents"), document_id.encode(), hashlib.sha256).hexdigest()[:16]


# Key check values ---------------------------------------------------------------------------

#: The fixed label whose HMAC under a key proves which key it is without revealing it. The same label
#: for every ring, so that a key file whose rings were exchanged is recognised as such.
CHECK_LABEL = b"casework key check value"


def check_value(key: bytes) -> bytes:
    return std_hmac.new(key, CHECK_LABEL, hashlib.sha256).digest()


# Blind indexes ------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _index_key(index_root: bytes, table: str, name: str) -> bytes:
    return _hkdf(index_root, f"index|{table}|{name}")


def keyed_digest(index_root: bytes, table: str, name: str, normalised: str) -> bytes:
    """The whole HMAC-SHA256 of a normalised value under the index key of (table, name): equal values
    give equal digests, and without the index root, which is not in the database, nobody can test a
    guess against one."""
    return std_hmac.new(_index_key(index_root, table, name), normalised.encode(), hashlib.sha256).digest()


def blind_index(index_root: bytes, table: str, name: str, normalised: str) -> bytes:
    return keyed_digest(index_root, table, name, normalised)[:INDEX_BYTES]


# Audit chain --------------------------------------------------------------------------------


def chain_digest(audit_key: bytes, previous: bytes, content: str) -> bytes:
    """The link of an audit row: a keyed HMAC over the previous link and the row's content."""
    return std_hmac.new(audit_key, previous + b"|" + content.encode(), hashlib.sha256).digest()


def same_digest(one: bytes, other: bytes) -> bool:
    return std_hmac.compare_digest(one, other)
