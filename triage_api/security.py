"""Secrets handling: argon2 password hashes, random API tokens stored as digests, signed session ids.

Nothing here reads settings at import; the signing key is passed in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, URLSafeTimedSerializer

TOKEN_PREFIX = "mw_"
SESSION_COOKIE = "mw_session"
LOGIN_CSRF_COOKIE = "mw_login_csrf"
SESSION_MAX_AGE_S = 12 * 3600

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """A slow, salted argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True if the password matches the stored argon2 hash (constant-time inside argon2)."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def dummy_verify(password: str) -> None:
    """Spend the time of one verification, so unknown user names cost the same as wrong passwords."""
    verify_password(_DUMMY_HASH, password)


_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def new_password() -> str:
    """A one-time password printed once to the administrator."""
    return secrets.token_urlsafe(12)


def new_token() -> str:
    """A random API bearer token (shown once; only its digest is stored)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """SHA-256 of a high-entropy token: the key under which it is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def same_secret(a: str | None, b: str | None) -> bool:
    """Constant-time equality of two non-empty strings."""
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


class CookieSigner:
    """Signs and checks the values of the page's cookies with the application's secret key."""

    def __init__(self, secret_key: str) -> None:
        self._session = URLSafeTimedSerializer(secret_key, salt="mediawatch.session")
        self._login = URLSafeTimedSerializer(secret_key, salt="mediawatch.login-csrf")

    def sign_session(self, session_id: str) -> str:
        return self._session.dumps(session_id)

    def unsign_session(self, value: str, *, max_age_s: int = SESSION_MAX_AGE_S) -> str | None:
        try:
            loaded = self._session.loads(value, max_age=max_age_s)
        except BadSignature:
            return None
        return loaded if isinstance(loaded, str) else None

    def sign_login_csrf(self, token: str) -> str:
        return self._login.dumps(token)

    def unsign_login_csrf(self, value: str, *, max_age_s: int = 3600) -> str | None:
        try:
            loaded = self._login.loads(value, max_age=max_age_s)
        except BadSignature:
            return None
        return loaded if isinstance(loaded, str) else None
