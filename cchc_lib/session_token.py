"""Signed login tokens for the "stay logged in" cookie: HMAC-SHA256 over name, issue and expiry times
and a fingerprint of the account's password hash (a changed password or a removed account ends it).

Token: `<payload b64url>.<mac b64url>`, payload = JSON `[version, name, issued, expires, fingerprint]`.
Everything here except `server_secret` is a pure function of its arguments; nothing raises on a
hostile token.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from cchc_lib.accounts import Account, Accounts

__all__ = [
    "MAX_TOKEN_CHARS",
    "MIN_SECRET_BYTES",
    "Claims",
    "account_for_token",
    "cookie_script",
    "fingerprint",
    "is_token_text",
    "issue",
    "issue_for",
    "read",
    "secret_path",
    "server_secret",
]

VERSION = 1
MAX_TOKEN_CHARS = 1024  # a name of 64 characters makes tokens of ~200; anything longer is not ours
MIN_SECRET_BYTES = 32
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{1,900}\.[A-Za-z0-9_-]{43}$")  # 43 = b64url of 32 bytes, unpadded


@dataclass(frozen=True)
class Claims:
    name: str
    issued: int
    expires: int
    fingerprint: str


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, payload: str) -> bytes:
    return hmac.new(secret, b"cchc-login|" + payload.encode("ascii"), hashlib.sha256).digest()


def fingerprint(secret: bytes, password_hash: str) -> str:
    """A keyed digest of the stored password hash: changes with the password, reveals nothing of it."""
    digest = hmac.new(secret, b"cchc-password|" + password_hash.encode("utf-8"), hashlib.sha256)
    return _b64e(digest.digest()[:16])


def is_token_text(value: object) -> bool:
    """Whether `value` has a token's shape (only base64url characters and one dot): safe in HTML/JS."""
    return isinstance(value, str) and len(value) <= MAX_TOKEN_CHARS and bool(_TOKEN_RE.match(value))


def issue(name: str, password_hash: str, secret: bytes, now: float, ttl_s: float) -> str:
    """A token for `name` valid from `now` for `ttl_s` seconds."""
    body = [VERSION, name, int(now), int(now + ttl_s), fingerprint(secret, password_hash)]
    payload = _b64e(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return f"{payload}.{_b64e(_mac(secret, payload))}"


def read(token: object, secret: bytes, now: float) -> Claims | None:
    """The claims of a well-formed, correctly signed, unexpired token; None for anything else."""
    if not is_token_text(token):
        return None
    payload, mac = str(token).split(".")
    if not hmac.compare_digest(_b64d(mac), _mac(secret, payload)):
        return None
    try:
        version, name, issued, expires, fp = json.loads(_b64d(payload))
    except (ValueError, TypeError):  # our own signature: only a bug could get here
        return None
    if version != VERSION or not isinstance(name, str) or not isinstance(fp, str):
        return None
    if not isinstance(issued, int) or not isinstance(expires, int) or not issued - 60 <= now < expires:
        return None
    return Claims(name, issued, expires, fp)


def issue_for(accounts: Accounts, name: str, secret: bytes, now: float, ttl_s: float) -> str | None:
    """A token for the account `name` as it stands in the accounts file (None when it is gone)."""
    stored = accounts.password_hash(name)
    return issue(name, stored, secret, now, ttl_s) if stored else None


def account_for_token(accounts: Accounts, token: object, secret: bytes, now: float) -> Account | None:
    """The account a cookie logs in: valid token, account still there with the same password, not
    locked out. Never raises on a bad token (a broken accounts file raises AccountError)."""
    claims = read(token, secret, now)
    if claims is None:
        return None
    stored = accounts.password_hash(claims.name)
    if not stored or not hmac.compare_digest(fingerprint(secret, stored), claims.fingerprint):
        return None
    if accounts.locked_until(claims.name) is not None:
        return None
    return accounts.get(claims.name)


def secret_path(users_path: Path) -> Path:
    """`<users file>.secret`, next to the accounts file."""
    return users_path.with_name(users_path.name + ".secret")


def server_secret(users_path: Path) -> bytes:
    """The cookie signing key kept next to the accounts file: read it, or create it once (mode 0600,
    published with a hard link so a concurrent reader never sees a half-written file)."""
    path = secret_path(users_path)
    with contextlib.suppress(FileNotFoundError):
        return _valid_secret(path.read_bytes(), path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".tmp-{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_b64e(secrets.token_bytes(MIN_SECRET_BYTES)).encode("ascii") + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process won the race: use its key
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return _valid_secret(path.read_bytes(), path)


def _valid_secret(raw: bytes, path: Path) -> bytes:
    key = raw.strip()
    if len(key) < MIN_SECRET_BYTES:
        raise ValueError(f"{path} is too short to be a signing key")
    return key


def cookie_script(cookie: str, token: str | None, max_age_s: int) -> str:
    """`<script>` setting the cookie `cookie` to `token` (or expiring it when `token` is None or not
    token-shaped): Path=/, SameSite=Strict, Max-Age, Secure on https. Only validated text goes in."""
    if not re.fullmatch(r"[a-z_]{1,32}", cookie):
        raise ValueError(f"bad cookie name {cookie!r}")
    value, age = (token, int(max_age_s)) if is_token_text(token) and max_age_s > 0 else ("", 0)
    return (
        "<script>(function(){var s=location.protocol==='https:'?'; Secure':'';"
        f"document.cookie='{cookie}={value}; Path=/; Max-Age={age}; SameSite=Strict'+s;}})();</script>"
    )
