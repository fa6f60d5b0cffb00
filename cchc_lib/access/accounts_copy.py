"""Copying every account and OIDC mapping from one accounts storage into an empty other, verified."""

from __future__ import annotations

from dataclasses import dataclass

from cchc_lib.access.accounts import AccountError, Accounts

__all__ = ["AccountsCopy", "copy_accounts"]


@dataclass(frozen=True)
class AccountsCopy:
    """What was copied: the number of accounts and of OIDC e-mail mappings."""

    users: int
    oidc: int


def copy_accounts(source: Accounts, target: Accounts) -> AccountsCopy:
    """Copy the whole document of `source` (names, roles, units, password hashes as stored, OIDC mappings)
    into `target`, which must hold no account and no mapping (AccountError "target_not_empty"), in one
    write under the target's lock; then read the target back and compare it with the source's document
    (AccountError "copy_mismatch"). Errors reading either side come out as AccountError."""
    document = source.document()
    with target._lock():
        before = target._load()
        if before["users"] or before["oidc"]:
            raise AccountError(
                "target_not_empty",
                "Nơi nhận đã có tài khoản; chỉ chép vào nơi chưa có tài khoản nào (cơ sở dữ liệu vừa chạy "
                "store migrate, hoặc một tệp chưa có).",
            )
        target._save(document)
    if target.document() != document:
        raise AccountError(
            "copy_mismatch",
            "Tài khoản đã chép không khớp với nguồn; đừng dùng nơi nhận, hãy báo quản trị viên.",
        )
    return AccountsCopy(len(document["users"]), len(document["oidc"]))
