"""Keys derived from SME_HUB_SECRET_KEY: encryption of stored secrets and keyed hashes."""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["InvalidToken", "decrypt", "encrypt", "keyed_hash"]


@cache
def _derived_key(secret_key: str, purpose: bytes) -> bytes:
    """A separate 32-byte key per purpose, so one key never serves two uses."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
        secret_key.encode()
    )


@cache
def _fernet(secret_key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derived_key(secret_key, b"sme-hub stored secrets")))


def encrypt(secret_key: str, plaintext: str) -> str:
    return _fernet(secret_key).encrypt(plaintext.encode()).decode("ascii")


def decrypt(secret_key: str, token: str) -> str:
    """Raises InvalidToken when the value was encrypted with another key."""
    return _fernet(secret_key).decrypt(token.encode("ascii")).decode()


def keyed_hash(secret_key: str, value: str) -> str:
    """HMAC-SHA256: a stolen table of such hashes cannot be brute-forced without the key."""
    key = _derived_key(secret_key, b"sme-hub keyed hashes")
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
