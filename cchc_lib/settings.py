"""Deployment settings (organisation, agencies, limits, thresholds) from a TOML file with defaults."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

__all__ = ["Settings", "load_settings", "PROJECT_ROOT", "SETTINGS_ENV"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SETTINGS_ENV = "CCHC_SETTINGS"
DEFAULT_SETTINGS_FILE = PROJECT_ROOT / "settings.toml"


@dataclass(frozen=True)
class Settings:
    """Everything a deployment may change without touching code."""

    # Who uses the tool: names printed on pages and in the report letterhead.
    organisation: str = "UBND huyện Cẩm Xuyên"
    parent_agency: str = "UBND tỉnh Hà Tĩnh"
    issuing_office: str = "Phòng Văn hóa và Thông tin"
    standing_office: str = "Phòng Nội vụ"
    place_name: str = "Cẩm Xuyên"
    plan_reference: str = "Kế hoạch thông tin, tuyên truyền CCHC năm 2024"
    report_number_suffix: str = "BC-UBND"
    signer_title: str = "CHỦ TỊCH"
    signer_capacity: str = "TM. ỦY BAN NHÂN DÂN"
    signer_name: str = ""
    recipients: tuple[str, ...] = ("Sở Nội vụ (b/c);", "TT Huyện ủy, HĐND huyện (b/c);", "Lưu: VT.")
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
    # Where published versions and the audit log live (relative paths are under the project root).
    store_dir: str = "data/store"
    sample_file: str = "data/cam_xuyen_2024.xlsx"
    require_login: bool = False
    # Hours a password login survives page reloads and new tabs (signed cookie); 0 turns that off.
    login_cookie_hours: float = 12.0
    submission_grace_days: int = 5

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

    Unknown keys are ignored; lists become tuples.
    """
    chosen = Path(path) if path else Path(os.environ.get(SETTINGS_ENV) or DEFAULT_SETTINGS_FILE)
    if not chosen.is_file():
        return Settings()
    with chosen.open("rb") as handle:
        raw = tomllib.load(handle)
    flat: dict[str, object] = {}
    for key, value in raw.items():
        if isinstance(value, dict):
            flat.update(value)
        else:
            flat[key] = value
    known = {f.name for f in fields(Settings)}
    values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in flat.items() if k in known}
    return replace(Settings(), **values)
