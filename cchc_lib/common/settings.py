"""Deployment settings (organisation, agencies, limits, thresholds) from a TOML file with defaults."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path

import cchc_lib

__all__ = ["PlanReference", "Settings", "load_settings", "PROJECT_ROOT", "SETTINGS_ENV"]

PROJECT_ROOT = Path(cchc_lib.__file__).resolve().parent.parent  # the folder holding the package
SETTINGS_ENV = "CCHC_SETTINGS"
DEFAULT_SETTINGS_FILE = PROJECT_ROOT / "settings.toml"


@dataclass(frozen=True)
class PlanReference:
    """The year's plan a report carries out: `[plans."2024"]` with number, date (dd/mm/yyyy), title and
    an optional issuer (the organisation when empty)."""

    year: int
    number: str = ""
    date: str = ""
    title: str = ""
    issuer: str = ""

    def phrase(self, organisation: str) -> str:
        """ "Kế hoạch số 45/KH-UBND ngày 15/01/2024 của UBND huyện Cẩm Xuyên về thông tin, tuyên
        truyền cải cách hành chính năm 2024" (the parts that are set, in that order)."""
        words = ["Kế hoạch"]
        if self.number.strip():
            words.append(f"số {self.number.strip()}")
        if self.date.strip():
            words.append(f"ngày {self.date.strip()}")
        issuer = self.issuer.strip() or organisation.strip()
        if issuer:
            words.append(f"của {issuer}")
        title = self.title.strip()
        for prefix in ("Kế hoạch ", "kế hoạch "):
            if title.startswith(prefix):
                title = title[len(prefix) :].strip()
                break
        if title:
            words.append(title if title.startswith("về ") else f"về {title}")
        return " ".join(words)


@dataclass(frozen=True)
class Settings:
    """Everything a deployment may change without touching code."""

    # Who uses the tool: names printed on pages and in the report letterhead.
    organisation: str = "UBND huyện Cẩm Xuyên"
    parent_agency: str = "UBND tỉnh Hà Tĩnh"
    issuing_office: str = "Phòng Văn hóa và Thông tin"
    standing_office: str = "Phòng Nội vụ"
    place_name: str = "Cẩm Xuyên"
    # The plan a report carries out, per year (`[plans."2024"]`, see plan_reference_for); the single
    # `plan_reference` text is the fallback for a year without its own table ("" prints no reference).
    plan_reference: str = ""
    plans: tuple[PlanReference, ...] = ()
    report_number_suffix: str = "BC-UBND"
    # Signature block, one line each: "TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH" or "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH".
    signer_capacity: str = "TM. ỦY BAN NHÂN DÂN"
    signer_title: str = "CHỦ TỊCH"
    signer_name: str = ""
    recipients: tuple[str, ...] = (
        "Sở Nội vụ (b/c);",
        "TT Huyện ủy, TT HĐND huyện (b/c);",
        "Chủ tịch, các PCT UBND huyện;",
        "Các cơ quan, đơn vị thuộc UBND huyện;",
        "UBND các xã, thị trấn;",
        "Lưu: VT, NV.",
    )
    # Unit types offered when a workbook does not bring its own.
    unit_types: tuple[str, ...] = (
        "Phòng chuyên môn",
        "Đơn vị sự nghiệp",
        "Cơ quan ngành dọc",
        "UBND xã, thị trấn",
    )
    # Periods: the day of the month on which the official report year turns.
    cutoff_day: int = 15
    # Completion classes: >= complete_pct is "Hoàn thành", >= near_pct is "Gần hoàn thành".
    complete_pct: float = 100.0
    near_pct: float = 70.0
    # Upload safety limits.
    max_upload_mb: float = 20.0
    max_uncompressed_mb: float = 300.0
    max_zip_parts: int = 2000
    max_sheet_rows: int = 1_100_000
    max_sheet_cols: int = 200
    parse_timeout_s: float = 120.0
    parse_memory_mb: int = 3072
    # Uploaded files the server holds in memory at once (all sessions), and the rate of costly actions
    # per browser session and per client address (uploads, checks of an uploaded file, report builds).
    upload_memory_mb: float = 200.0
    # Several units' files uploaded together (batch.py): at most this many files, this many MB in all.
    max_batch_files: int = 30
    max_batch_mb: float = 60.0
    uploads_per_10min: int = 30
    reports_per_10min: int = 20
    # Where published versions and the audit log live (relative paths are under the project root).
    store_dir: str = "data/store"
    # Several servers, one store: "postgresql://user@host:5432/dbname" keeps the store in PostgreSQL
    # (cchc_lib/publishing/store_pg.py; store_dir is then each server's local cache). Never a password here: it comes
    # from $CCHC_STORE_PASSWORD (or PGPASSWORD, ~/.pgpass). "" = the folder store at store_dir.
    store_url: str = ""
    # On PostgreSQL a server learns of a new version from NOTIFY at once; while its listening connection is
    # down it reads the current pointer again when the last read is this many seconds old.
    store_poll_seconds: float = 2.0
    sample_file: str = "data/cam_xuyen_2024.xlsx"
    # Show the sample workbook (under a banner) while nothing was ever published; false for deployments
    # that would rather show an empty dashboard. A damaged store never shows the sample.
    show_sample_when_empty: bool = True
    require_login: bool = False
    # Hours a password login survives page reloads and new tabs (the session cookie's lifetime, never
    # beyond session_max_hours); 0: no cookie, a login lasts only as long as its browser tab.
    login_cookie_hours: float = 12.0
    # Server-side login sessions (cchc_lib/access/sessions.py): ended after this many idle minutes, and this
    # many hours after the login whatever the activity.
    session_idle_minutes: float = 60.0
    session_max_hours: float = 12.0
    # True only behind a reverse proxy that sets X-Forwarded-For: the client address (login throttling,
    # sessions, audit) is then read from that header; otherwise from the connection.
    behind_proxy: bool = False
    submission_grace_days: int = 5
    # Plausibility and closed periods (issue 15)
    # The most one `Hoạt động` row may count (one article, or one batch such as 12 broadcasts), the
    # largest target of one unit for one activity type, and the largest amount of one `Kinh phí` cell (VND).
    # A larger value is an error naming its cell (never counted); 0 turns that check off.
    max_activity_quantity: int = 1000
    max_target_quantity: int = 100_000
    max_funding_vnd: int = 1_000_000_000_000
    # Activities dated on or before this day (dd/mm/yyyy or a TOML date; "" = nothing closed), and the
    # targets of the years it covers, may be changed by the standing office (admins) only. A closure the
    # standing office records in the store (`store close`, the history page) takes precedence.
    closed_through: str = ""

    def plan_for(self, year: int) -> PlanReference | None:
        """The `[plans]` table of `year`, or None."""
        return next((plan for plan in self.plans if plan.year == year), None)

    def plan_reference_for(self, year: int) -> str:
        """The plan a report of `year` carries out, as the phrase after "Thực hiện": "Kế hoạch số
        45/KH-UBND ngày 15/01/2024 của UBND huyện Cẩm Xuyên về thông tin, tuyên truyền cải cách hành
        chính năm 2024" from `[plans."2024"]`; else the single `plan_reference` setting; else ""."""
        plan = self.plan_for(year)
        if plan is not None:
            return plan.phrase(self.organisation)
        return self.plan_reference.strip()

    @property
    def store_path(self) -> Path:
        path = Path(self.store_dir)
        return path if path.is_absolute() else PROJECT_ROOT / path

    @property
    def sample_path(self) -> Path:
        path = Path(self.sample_file)
        return path if path.is_absolute() else PROJECT_ROOT / path


def load_settings(path: str | Path | None = None) -> Settings:
    """Settings from `path`, else $CCHC_SETTINGS, else settings.toml at the project root, else defaults.

    Sections are flattened (a key means the same in any section); unknown keys are ignored; lists
    become tuples. `plans` is the exception: a table of per-year tables (`[plans."2024"]` or
    `[plans.2024]`, at the top level or inside a section), read into PlanReference values; a year
    that is not a number or a value that is not a table is ignored.
    """
    chosen = Path(path) if path else Path(os.environ.get(SETTINGS_ENV) or DEFAULT_SETTINGS_FILE)
    if not chosen.is_file():
        return Settings()
    with chosen.open("rb") as handle:
        raw = tomllib.load(handle)
    flat: dict[str, object] = {}
    plans: dict[int, PlanReference] = {}
    for key, value in raw.items():
        if key == "plans":
            plans.update(_plans(value))
        elif isinstance(value, dict):
            section = dict(value)
            if "plans" in section:
                plans.update(_plans(section.pop("plans")))
            flat.update(section)
        else:
            flat[key] = value
    known = {f.name for f in fields(Settings)} - {"plans"}
    values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in flat.items() if k in known}
    if "closed_through" in values:  # a TOML date (closed_through = 2024-12-31) is kept as dd/mm/yyyy
        values["closed_through"] = _text(values["closed_through"])
    if plans:
        values["plans"] = tuple(plans[year] for year in sorted(plans))
    return replace(Settings(), **values)


def _text(value: object) -> str:
    """A setting's text; a TOML date (date = 2024-01-15) is written dd/mm/yyyy."""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value or "").strip()


def _plans(value: object) -> dict[int, PlanReference]:
    """`{"2024": {"number": …, "date": …, "title": …, "issuer": …}}` -> {2024: PlanReference}."""
    if not isinstance(value, dict):
        return {}
    out: dict[int, PlanReference] = {}
    for year, table in value.items():
        if not isinstance(table, dict) or not str(year).strip().isdigit():
            continue
        texts = {k: _text(table.get(k)) for k in ("number", "date", "title", "issuer")}
        out[int(str(year).strip())] = PlanReference(int(str(year).strip()), **texts)
    return out
