"""Checking the store for damage and restoring the last good version (a mixin of `Store`)."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cchc_lib.common.atomic import atomic_write
from cchc_lib.publishing.store_base import (
    CACHE_DIR,
    DAMAGED_DIR,
    REPAIR_KIND,
    StoreError,
    Version,
    _disk_error,
    _now,
    _sha256,
    file_sha256,
)

__all__ = ["Finding", "Health", "RepairPlan", "StoreCheck"]

_CACHE_NAME = re.compile(r"^keys-v\d+-[0-9a-f]{64}\.parquet$")


def cache_findings(root: Path, cache_check: Callable[[Path, str], str | None]) -> tuple[list[Finding], str]:
    """The damaged files among the keys cache of the store at `root` (`cache_check(path, sha256)`: a
    reason or None), and the line saying how many were checked."""
    cache_dir = root / CACHE_DIR
    files = sorted(e for e in cache_dir.iterdir() if _CACHE_NAME.match(e.name)) if cache_dir.is_dir() else []
    found = []
    for entry in files:
        reason = cache_check(entry, entry.stem.rsplit("-", 1)[1])
        if reason:
            rel = f"{CACHE_DIR}/{entry.name}"
            found.append(Finding("cache_corrupt", f"Tệp bộ nhớ đệm {rel} bị hỏng: {reason}.", path=rel))
    return found, f"{len(files)} tệp bộ nhớ đệm ({CACHE_DIR}/)"


@dataclass(frozen=True)
class Finding:
    """One thing `Store.check` found: `code` for programs, `message` (Vietnamese) for people."""

    code: str
    message: str
    number: int | None = None  # the version concerned
    path: str = ""  # the file concerned, relative to the store folder


@dataclass(frozen=True)
class Health:
    """What `Store.check` found. `state`: "empty" (nothing was ever published), "ok" (the current version
    is readable and matches its checksum, nothing damaged) or "damaged" (see `problems`)."""

    state: str
    current: Version | None  # the checked current version ("ok" only)
    problems: tuple[Finding, ...] = ()
    notes: tuple[Finding, ...] = ()  # not problems: e.g. versions moved to damaged/ by an earlier repair
    checked: tuple[str, ...] = ()  # what was checked, in Vietnamese (for `store verify`)

    @property
    def ok(self) -> bool:
        return self.state != "damaged"

    @property
    def needs_republish(self) -> bool:
        """Damaged only in that no valid version is left: publishing a whole workbook is the remedy."""
        return self.state == "damaged" and {f.code for f in self.problems} == {"no_valid_version"}


@dataclass(frozen=True)
class RepairPlan:
    """What `Store.restore_last_good` would do: move `moves` to damaged/, then make version `restore`
    current, as the new version `new_number` (a restore of older content) or by rewriting the pointer
    (`new_number` None: `restore` is the latest version, only the pointer was wrong)."""

    problems: tuple[Finding, ...]
    moves: tuple[str, ...]  # paths relative to the store folder
    restore: int | None  # the last good version; None: no good version is left
    new_number: int | None
    pointer_rewrite: bool

    @property
    def needed(self) -> bool:
        return bool(self.moves or self.pointer_rewrite or self.new_number)


class StoreCheck:
    """Mixin of `Store`: `check`, `repair_plan` and `restore_last_good` (see the layout in cchc_lib.publishing.store)."""

    def _audit_lines(self) -> tuple[list[dict[str, Any]], list[int], bool]:
        """(entries, numbers of the lines that are not JSON objects, readable) of the audit log."""
        try:
            text = self.audit_path.read_bytes().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return [], [], True
        except OSError:
            return [], [], False
        entries, bad = [], []
        for i, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                entry = None
            if isinstance(entry, dict):
                entries.append(entry)
            else:
                bad.append(i)
        return entries, bad, True

    def check(
        self,
        *,
        deep: bool = True,
        digest: Callable[[Path], str] = file_sha256,
        cache_check: Callable[[Path, str], str | None] | None = None,
    ) -> Health:
        """Check the store without changing it (see Health).

        Always: the pointer (readable, naming a version that exists, same sha256 as its metadata, not
        behind a later published version), the metadata of every version present or named by the audit
        log (readable, its own number, the sha256 the audit log recorded), the current version's bytes
        against its sha256, every cache file (`cache_check(path, sha256)`: a reason or None; default
        version_keys.check_cache_file). With `deep` also every version's bytes and every audit line (the
        audit log has no hash chain: each line must be a JSON object; a published version it names must
        exist). `digest(path)` gives a file's sha256 (the web passes a memoised one)."""
        if cache_check is None:
            from cchc_lib.publishing.version_keys import check_cache_file as cache_check
        problems: list[Finding] = []
        notes: list[Finding] = []

        def problem(code: str, message: str, number: int | None = None, path: str = "") -> None:
            problems.append(Finding(code, message, number, path))

        # The audit log first: an entry is written after the pointer moved, so a version it names as
        # published is never newer than the pointer read next (no false alarm during a publish).
        entries, bad_lines, audit_readable = self._audit_lines()
        published, quarantined = self._audit_versions(entries)
        files = self._version_files()
        try:
            pointer = self._pointer()
            pointer_ok = True
        except StoreError:
            pointer, pointer_ok = None, False
        checked = ["tệp chỉ phiên bản hiện hành (current)"]
        if (
            pointer_ok
            and pointer is None
            and not files
            and not published
            and not quarantined
            and not bad_lines
            and audit_readable
            and not (self.root / DAMAGED_DIR).exists()
        ):
            return Health("empty", None, checked=tuple(checked))

        if not pointer_ok:
            problem(
                "pointer_corrupt",
                "Tệp «current» (chỉ phiên bản hiện hành) bị hỏng: không đọc được.",
                path="current",
            )
        elif pointer is None:
            if files or set(published) - quarantined:
                problem(
                    "pointer_missing",
                    "Tệp «current» (chỉ phiên bản hiện hành) không còn, dù kho đã có phiên bản được công bố.",
                    path="current",
                )
            else:
                problem(
                    "no_valid_version",
                    "Kho không còn phiên bản dữ liệu hợp lệ nào (các phiên bản hỏng đã được chuyển vào "
                    f"thư mục {DAMAGED_DIR}/).",
                )
        if not self.versions_dir.is_dir() and (pointer is not None or set(published) - quarantined):
            problem(
                "versions_missing",
                "Thư mục versions/ (các phiên bản đã công bố) không còn trên đĩa.",
                path="versions",
            )

        current_number = pointer[0] if pointer else None
        numbers = set(files) | (set(published) - quarantined)
        if current_number is not None:
            numbers.add(current_number)
        metas: dict[int, Version] = {}
        for n in sorted(numbers):
            kinds = files.get(n, set())
            xlsx, meta = f"versions/{n:06d}.xlsx", f"versions/{n:06d}.json"
            if not kinds:
                if n in quarantined:
                    continue
                if n == current_number:
                    problem(
                        "pointer_unknown",
                        f"Tệp «current» chỉ đến phiên bản số {n}, nhưng không có phiên bản đó trong versions/.",
                        n,
                        xlsx,
                    )
                elif self.versions_dir.is_dir():
                    problem(
                        "version_missing",
                        f"Phiên bản số {n} đã được công bố nhưng không còn tệp nào của nó trong versions/.",
                        n,
                        xlsx,
                    )
                continue
            if "json" not in kinds:
                problem("meta_missing", f"Phiên bản số {n} mất tệp thông tin ({meta}).", n, meta)
            else:
                try:
                    version = self._load_version(n)
                except StoreError:
                    problem("meta_corrupt", f"Tệp thông tin của phiên bản số {n} ({meta}) bị hỏng.", n, meta)
                else:
                    if version.number != n:
                        problem(
                            "meta_corrupt",
                            f"Tệp thông tin {meta} ghi số phiên bản {version.number}, không phải {n}.",
                            n,
                            meta,
                        )
                    elif published.get(n) and published[n] != version.sha256:
                        problem(
                            "audit_sha",
                            f"Mã kiểm tra (sha256) trong thông tin của phiên bản số {n} khác với mã nhật ký "
                            "đã ghi khi công bố: thông tin hoặc tệp đã bị thay.",
                            n,
                            meta,
                        )
                    else:
                        metas[n] = version
            if "xlsx" not in kinds:
                problem("bytes_missing", f"Tệp dữ liệu của phiên bản số {n} ({xlsx}) không còn.", n, xlsx)
            elif n in metas and (deep or n == current_number):
                try:
                    actual = digest(self._version_path(n))
                except OSError:
                    problem(
                        "bytes_unreadable",
                        f"Không đọc được tệp dữ liệu của phiên bản số {n} ({xlsx}).",
                        n,
                        xlsx,
                    )
                else:
                    if actual != metas[n].sha256:
                        del metas[n]
                        problem(
                            "bytes_mismatch",
                            f"Tệp dữ liệu của phiên bản số {n} ({xlsx}) không khớp mã kiểm tra (sha256): "
                            "đã bị sửa, cắt cụt hoặc hỏng.",
                            n,
                            xlsx,
                        )
        checked.append(f"tệp thông tin của {len(numbers)} phiên bản (versions/*.json)")
        if deep:
            checked.append(f"tệp dữ liệu của {len(numbers)} phiên bản so với mã kiểm tra sha256")
        else:
            checked.append("tệp dữ liệu của phiên bản hiện hành so với mã kiểm tra sha256")

        if pointer is not None and current_number in metas and metas[current_number].sha256 != pointer[1]:
            problem(
                "pointer_sha",
                f"Mã kiểm tra trong tệp «current» khác với mã của phiên bản số {current_number}.",
                current_number,
                "current",
            )
        later = [
            n for n in published if current_number is not None and n > current_number and n not in quarantined
        ]
        if later:
            problem(
                "pointer_behind",
                f"Tệp «current» chỉ đến phiên bản số {current_number}, nhưng phiên bản số {max(later)} đã được "
                "công bố sau đó.",
                current_number,
                "current",
            )
        for n in sorted(quarantined):
            if n not in files:
                notes.append(
                    Finding(
                        "quarantined", f"Phiên bản số {n} đã được chuyển vào {DAMAGED_DIR}/ khi sửa kho.", n
                    )
                )

        found, done = cache_findings(self.root, cache_check)
        problems.extend(found)
        checked.append(done)

        if not audit_readable:
            problem("audit_unreadable", "Không đọc được nhật ký thao tác (audit.jsonl).", path="audit.jsonl")
        if deep or pointer is None:
            for line in bad_lines:
                problem(
                    "audit_line",
                    f"Dòng {line} của nhật ký thao tác (audit.jsonl) không đọc được.",
                    path="audit.jsonl",
                )
        if deep:
            checked.append(
                f"nhật ký thao tác (audit.jsonl, {len(entries) + len(bad_lines)} dòng): mỗi dòng là một đối tượng "
                "JSON, mọi phiên bản nhật ký ghi đã công bố còn trong kho với cùng mã sha256 (nhật ký không có "
                "chuỗi băm nên một dòng bị xóa hay bị sửa khéo không phát hiện được)"
            )
        if problems:
            return Health("damaged", None, tuple(problems), tuple(notes), tuple(checked))
        return Health("ok", metas[current_number], (), tuple(notes), tuple(checked))

    _VERSION_DAMAGE = frozenset(
        {"meta_missing", "meta_corrupt", "bytes_missing", "bytes_mismatch", "bytes_unreadable", "audit_sha",
         "version_missing", "pointer_unknown"}
    )  # fmt: skip

    def repair_plan(
        self,
        *,
        digest: Callable[[Path], str] = file_sha256,
        cache_check: Callable[[Path, str], str | None] | None = None,
    ) -> RepairPlan:
        """What restore_last_good would do now (a deep check first; nothing is changed)."""
        health = self.check(deep=True, digest=digest, cache_check=cache_check)
        entries, _, _ = self._audit_lines()
        published, quarantined = self._audit_versions(entries)
        files = self._version_files()
        try:
            pointer = self._pointer()
        except StoreError:
            pointer = None
        damaged = {
            f.number for f in health.problems if f.code in self._VERSION_DAMAGE and f.number is not None
        }
        moves = [
            f"versions/{n:06d}.{ext}"
            for n in sorted(damaged)
            for ext in ("xlsx", "json")
            if ext in files.get(n, ())
        ]
        moves += [f.path for f in health.problems if f.code == "cache_corrupt"]
        good = [n for n in files if n not in damaged and files[n] == {"xlsx", "json"}]
        known = set(published) | set(range(1, (pointer[0] if pointer else 0) + 1))
        candidates = [n for n in good if n in known] if known else good
        restore = max(candidates) if candidates else None
        highest = max([0, *files, *published, *quarantined, *([pointer[0]] if pointer else [])])
        pointer_exists = self.pointer_path.exists()
        if restore is None:
            new_number, rewrite = None, pointer_exists
        elif restore == highest:
            target = (restore, self._load_version(restore).sha256)
            new_number, rewrite = None, pointer != target
        else:
            new_number, rewrite = highest + 1, True
        return RepairPlan(health.problems, tuple(moves), restore, new_number, rewrite)

    def restore_last_good(
        self,
        user: str,
        role: str,
        *,
        expected: RepairPlan | None = None,
        digest: Callable[[Path], str] = file_sha256,
        cache_check: Callable[[Path, str], str | None] | None = None,
    ) -> tuple[RepairPlan, Version | None]:
        """Repair the store under the lock: move the damaged files (repair_plan) to damaged/<time>/ (a copy
        of the old pointer too), then make the last good version current, as a new version (kind
        "rollback", its audit entry marked "repair") when newer versions were damaged, else by rewriting
        the pointer. One audit entry of kind "repair" lists what was moved. Returns the plan carried out
        and the current version after it (None: no good version is left; publish a workbook again).
        With `expected` (the plan a person confirmed) the repair is refused (StoreError "stale") when the
        store changed since."""
        with self._locked():
            plan = self.repair_plan(digest=digest, cache_check=cache_check)
            if expected is not None and plan != expected:  # the problems shown and the plan confirmed
                raise StoreError(
                    "stale",
                    "Kho dữ liệu vừa thay đổi sau khi kiểm tra; chưa sửa gì. Hãy chạy lại lệnh sửa kho.",
                )
            if not plan.needed:
                return plan, self.current()
            now = _now()
            folder = self.root / DAMAGED_DIR / now.strftime("%Y%m%d-%H%M%S-%f")
            moved: list[str] = []
            try:
                for rel in plan.moves:
                    target = folder / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(self.root / rel, target)
                    moved.append(rel)
                if plan.pointer_rewrite and self.pointer_path.exists():
                    folder.mkdir(parents=True, exist_ok=True)
                    atomic_write(folder / "current", self.pointer_path.read_bytes())
                    moved.append("current (bản sao)")
                previous = None
                with contextlib.suppress(StoreError):
                    previous = self.current_number()
                version: Version | None = None
                if plan.restore is None:
                    if self.pointer_path.exists():
                        self.pointer_path.unlink()
                elif plan.new_number is None:
                    version = self._load_version(plan.restore)
                    if plan.pointer_rewrite:
                        atomic_write(self.pointer_path, self._pointer_bytes(version))
                else:
                    old = self._load_version(plan.restore)
                    data = self._version_path(plan.restore).read_bytes()
                    if _sha256(data) != old.sha256:
                        raise StoreError(
                            "corrupt",
                            f"Tệp của phiên bản số {plan.restore} vừa bị thay đổi; chưa sửa gì thêm.",
                        )
                    version = Version(
                        number=plan.new_number,
                        sha256=old.sha256,
                        path=self._version_path(plan.new_number),
                        created_at=now,
                        user=user,
                        kind="rollback",
                        file_name=old.file_name,
                        rows=old.rows,
                        previous=previous,
                        unit_code=None,
                        size=len(data),
                        rollback_of=plan.restore,
                    )
                    atomic_write(version.path, data)
                    meta = json.dumps(version.to_json(), ensure_ascii=False, indent=1).encode("utf-8")
                    atomic_write(self._meta_path(version.number), meta)
                    atomic_write(self.pointer_path, self._pointer_bytes(version))
                    entry = self._published_entry(version)
                    entry.update({"repair": True, "role": role})
                    self._append_audit(entry)
            except OSError as exc:
                raise _disk_error(exc) from exc
            quarantined = sorted({int(rel[9:15]) for rel in plan.moves if rel.startswith("versions/")})
            missing = sorted(
                {
                    f.number
                    for f in plan.problems
                    if f.code in ("version_missing", "pointer_unknown") and f.number
                }
            )
            self._append_audit(
                {
                    "time": now.isoformat(),
                    "user": user,
                    "role": role,
                    "kind": REPAIR_KIND,
                    "file_name": f"{DAMAGED_DIR}/{folder.name}" if moved else "",
                    "outcome": "repaired",
                    "version": version.number if version else None,
                    "restored": plan.restore,
                    "quarantined": sorted(set(quarantined) | set(missing)),
                    "moved": moved,
                    "problems": sorted({f.code for f in plan.problems}),
                }
            )
            return plan, version

    @staticmethod
    def _pointer_bytes(version: Version) -> bytes:
        return json.dumps({"number": version.number, "sha256": version.sha256}).encode("utf-8")
