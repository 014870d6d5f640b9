"""All use of the `cryptography` package lives here, so that it can be reviewed in one place.

For now this module only derives purpose-bound keys from the application secret; the field
encryption, blind indexes and key rotation of security.md will live here too.
"""

import base64

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def derive_key(secret: str, purpose: str, length: int = 32) -> str:
    """Return a key (URL-safe base64) derived from `secret` for one `purpose` only.

    HKDF with the purpose as ``info`` means that a key derived for, say, TOTP secrets can never be
    the same as one derived for anything else, even though both come from one configured secret.
    """
    hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=f"casework|{purpose}".encode())
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode())).decode("ascii")
