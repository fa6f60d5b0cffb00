"""User accounts outside git: salted scrypt hashes, roles, OIDC e-mail -> role mapping (login throttling
and sessions: cchc_lib/access/throttle.py, cchc_lib/access/sessions.py)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import tomllib
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock

from cchc_lib.common.atomic import atomic_write
from cchc_lib.common.errors import UserError
from cchc_lib.common.settings import PROJECT_ROOT

__all__ = [
    "ROLES",
    "USERS_ENV",
    "Account",
    "AccountError",
    "Accounts",
    "authenticate",
    "default_users_path",
    "hash_password",
    "plain_document",
    "verify_password",
]

ROLES = ("viewer", "unit", "admin")
USERS_ENV = "CCHC_USERS"
MIN_PASSWORD = 8
_NAME_RE = re.compile(r"^[A-Za-z0-9._@+-]{1,64}$")
_UNIT_RE = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_ROLE_LABELS = {"viewer": "người xem", "unit": "đầu mối đơn vị", "admin": "quản trị viên"}


class AccountError(UserError):
    """A refused account operation: `code` for programs, `message` (Vietnamese) for people."""


@dataclass(frozen=True)
class Account:
    """Who is acting: name, role ("viewer" | "unit" | "admin") and, for role "unit", the unit code."""

    name: str
    role: str
    unit_code: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def role_label(self) -> str:
        label = _ROLE_LABELS.get(self.role, self.role)
        return f"{label} {self.unit_code}" if self.role == "unit" and self.unit_code else label


def default_users_path() -> Path:
    """$CCHC_USERS, else users.toml at the project root (gitignored)."""
    return Path(os.environ.get(USERS_ENV) or PROJECT_ROOT / "users.toml")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """`scrypt$n$r$p$<salt b64>$<hash b64>` with a fresh 16-byte salt."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of `password` against a `hash_password` string."""
    try:
        scheme, n, r, p, salt_b64, hash_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(hash_b64)
        digest = hashlib.scrypt(
            password.encode("utf-8"),
            salt=salt,
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=256 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)


_DUMMY_HASH = hash_password("không có tài khoản này", salt=b"\0" * 16)


def plain_document(raw: dict[str, Any]) -> dict[str, Any]:
    """An accounts document (as `Accounts._load` returns it) with every value a string, entries that are not
    tables dropped: {"users": {name: {"role", "unit", "hash"}}, "oidc": {email: "viewer" | "admin" |
    "unit:CODE"}}."""
    users = {
        str(name): {key: str(user.get(key) or "") for key in ("role", "unit", "hash")}
        for name, user in raw["users"].items()
        if isinstance(user, dict)
    }
    return {"users": users, "oidc": {str(k): str(v) for k, v in raw["oidc"].items()}}


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


class Accounts:
    """The accounts: one API (validation, hashing, login checks) over a small storage part, three methods
    that hold the whole document `{"users": {name: {"role", "unit", "hash"}}, "oidc": {email: role}}`:
    `_lock()` (held around every change), `_load()` and `_save(document)` (called inside the lock). Here
    they are the accounts file (TOML, a file lock); cchc_lib.publishing.pg_accounts.PgAccounts keeps the
    same document in PostgreSQL (one transaction under an advisory lock).

    File layout::

        [users.nguyenvana]
        role = "unit"
        unit = "XCB"
        hash = "scrypt$16384$8$1$...$..."

        [oidc]
        "a@b.vn" = "admin"
        "c@d.vn" = "unit:XCB"
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path else default_users_path()
        self.lock_path = self.path.with_name("." + self.path.name + ".lock")

    # ------------------------------------------------------------- storage
    def _load(self) -> dict[str, Any]:
        try:
            with self.path.open("rb") as handle:
                raw = tomllib.load(handle)
        except FileNotFoundError:
            return {"users": {}, "oidc": {}}
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise AccountError("bad_file", f"Tệp tài khoản {self.path.name} bị hỏng: {exc}") from exc
        users = raw.get("users") if isinstance(raw.get("users"), dict) else {}
        oidc = raw.get("oidc") if isinstance(raw.get("oidc"), dict) else {}
        return {"users": users, "oidc": oidc}

    def _save(self, raw: dict[str, Any]) -> None:
        lines = ["# Tài khoản bảng theo dõi CCHC — không đưa tệp này lên git.", ""]
        for name in sorted(raw["users"]):
            user = raw["users"][name]
            lines.append(f"[users.{_toml_str(name)}]")
            lines.append(f"role = {_toml_str(user['role'])}")
            if user.get("unit"):
                lines.append(f"unit = {_toml_str(user['unit'])}")
            lines.append(f"hash = {_toml_str(user['hash'])}")
            lines.append("")
        lines.append("[oidc]")
        for email in sorted(raw["oidc"]):
            lines.append(f"{_toml_str(email)} = {_toml_str(str(raw['oidc'][email]))}")
        atomic_write(self.path, ("\n".join(lines) + "\n").encode("utf-8"), mode=0o600)

    def _lock(self) -> AbstractContextManager[Any]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return FileLock(self.lock_path, timeout=30, thread_local=False)

    def document(self) -> dict[str, Any]:
        """The whole stored document as `plain_document` makes it (what a copy to another storage carries)."""
        return plain_document(self._load())

    @staticmethod
    def _account(name: str, user: dict[str, Any]) -> Account:
        role = user.get("role") if user.get("role") in ROLES else "viewer"
        unit = str(user.get("unit") or "").upper() or None
        return Account(name=name, role=role, unit_code=unit if role == "unit" else None)

    # ------------------------------------------------------------- management
    @staticmethod
    def _check_role(role: str, unit_code: str | None) -> str | None:
        if role not in ROLES:
            raise AccountError("bad_role", f"Vai trò không hợp lệ: {role!r} (chọn viewer, unit hoặc admin).")
        if role == "unit":
            if not unit_code or not _UNIT_RE.match(unit_code.strip()):
                raise AccountError("bad_unit", "Tài khoản đơn vị phải gắn với một mã đơn vị (--unit MÃ).")
            return unit_code.strip().upper()
        if unit_code:
            raise AccountError("bad_unit", "Chỉ tài khoản vai trò unit mới gắn với mã đơn vị.")
        return None

    @staticmethod
    def _check_password(password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise AccountError("weak_password", f"Mật khẩu phải có ít nhất {MIN_PASSWORD} ký tự.")

    def list(self) -> list[Account]:
        users = self._load()["users"]
        return [self._account(name, users[name]) for name in sorted(users)]

    def get(self, name: str) -> Account | None:
        user = self._load()["users"].get(name)
        return self._account(name, user) if isinstance(user, dict) else None

    def password_hash(self, name: str) -> str | None:
        """The stored password hash of `name` (None when there is no such account or no hash)."""
        user = self._load()["users"].get(name)
        stored = user.get("hash") if isinstance(user, dict) else None
        return stored if isinstance(stored, str) and stored else None

    def add(self, name: str, role: str, password: str, unit_code: str | None = None) -> Account:
        if not _NAME_RE.match(name or ""):
            raise AccountError(
                "bad_name", "Tên đăng nhập chỉ gồm chữ không dấu, số và . _ - @ + (tối đa 64 ký tự)."
            )
        unit = self._check_role(role, unit_code)
        self._check_password(password)
        with self._lock():
            raw = self._load()
            if name in raw["users"]:
                raise AccountError("exists", f"Tài khoản {name} đã có.")
            raw["users"][name] = {"role": role, "unit": unit or "", "hash": hash_password(password)}
            self._save(raw)
        return Account(name, role, unit)

    def set_password(self, name: str, password: str) -> None:
        self._check_password(password)
        with self._lock():
            raw = self._load()
            if name not in raw["users"]:
                raise AccountError("unknown_user", f"Không có tài khoản {name}.")
            raw["users"][name]["hash"] = hash_password(password)
            self._save(raw)

    def set_role(self, name: str, role: str, unit_code: str | None = None) -> Account:
        """Give `name` another role (and unit, for role "unit")."""
        unit = self._check_role(role, unit_code)
        with self._lock():
            raw = self._load()
            if name not in raw["users"]:
                raise AccountError("unknown_user", f"Không có tài khoản {name}.")
            raw["users"][name]["role"] = role
            raw["users"][name]["unit"] = unit or ""
            self._save(raw)
        return Account(name, role, unit)

    def remove(self, name: str) -> None:
        with self._lock():
            raw = self._load()
            if name not in raw["users"]:
                raise AccountError("unknown_user", f"Không có tài khoản {name}.")
            del raw["users"][name]
            self._save(raw)

    def set_oidc(self, email: str, role: str, unit_code: str | None = None) -> None:
        """Map an OpenID Connect e-mail to a role (`unit` needs a unit code)."""
        unit = self._check_role(role, unit_code)
        with self._lock():
            raw = self._load()
            raw["oidc"][email.strip().lower()] = f"unit:{unit}" if unit else role
            self._save(raw)

    def for_email(self, email: str | None) -> Account | None:
        """The account an OIDC-logged-in e-mail maps to, or None when the e-mail is not in [oidc]."""
        if not email:
            return None
        table = {str(k).strip().lower(): str(v) for k, v in self._load()["oidc"].items()}
        value = table.get(email.strip().lower())
        if value is None:
            return None
        role, _, unit = value.partition(":")
        role = role.strip().lower()
        if role == "unit" and unit.strip():
            return Account(email.strip().lower(), "unit", unit.strip().upper())
        if role in ("viewer", "admin"):
            return Account(email.strip().lower(), role)
        return None

    # ---------------------------------------------------------------- login
    def authenticate(self, name: str, password: str) -> Account:
        """The account for `name` when `password` is right, else AccountError "bad_credentials" (an
        unknown name costs the same time as a wrong password). Keeps no state: throttling is the
        caller's (cchc_lib.access.sessions.login)."""
        name = (name or "").strip()
        user = self._load()["users"].get(name) if _NAME_RE.match(name) else None
        stored = user.get("hash", "") if isinstance(user, dict) else ""
        ok = verify_password(password or "", stored or _DUMMY_HASH) and bool(stored)
        if ok:
            return self._account(name, user)
        raise AccountError("bad_credentials", "Tên đăng nhập hoặc mật khẩu không đúng.")


def authenticate(name: str, password: str, path: str | os.PathLike[str] | None = None) -> Account:
    """Check a login against the accounts file (default path); no throttling."""
    return Accounts(path).authenticate(name, password)
