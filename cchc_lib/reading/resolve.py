"""Cross-sheet checks: unit and activity-type references, duplicates, catalogue; builds the Workbook."""

from __future__ import annotations

import re
from functools import partial

import numpy as np
import pandas as pd

from ..common.settings import Settings
from ..common.text import Suggestions, header_keys, loose_key, match_key
from . import channels
from .model import (
    ACTIVITY_COLUMNS,
    CHANNEL_GROUP_COLUMNS,
    DIRECTIVE_COLUMNS,
    FUNDING_COLUMNS,
    INITIATIVE_COLUMNS,
    REVIEW_COLUMNS,
    TARGET_COLUMNS,
    TYPE_COLUMNS,
    UNIT_COLUMNS,
    Workbook,
)
from .problems import ProblemLog
from .raw_sheet import RawSheet
from .schema import DEFAULT_ACTIVITY_TYPES, INITIATIVE_STATUSES

__all__ = ["TypeCatalogue", "build_catalogue", "resolve_workbook"]

_AMBIGUOUS = "\0ambiguous"


class TypeCatalogue:
    """The activity types and a lookup from any spelling of a code or name to the code."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._suggestions: Suggestions | None = None  # made on the first unknown type
        self._lookup: dict[str, str] = {}
        for code, name in zip(frame["type_code"], frame["type_name"], strict=True):
            self._lookup.setdefault(loose_key(code), code)
            self._lookup.setdefault(loose_key(name), code)

    def code_of(self, text: object) -> str | None:
        """The code a cell names; a parenthesised note is ignored (`Tin, bài (tin)` = `Tin, bài`)."""
        found = self._lookup.get(loose_key(text))
        if found is None:
            found = next((self._lookup[k] for k in header_keys(text) if k in self._lookup), None)
        return found

    def listing(self) -> str:
        """The types by name with their codes: `Tin, bài (TIN_BAI); Phóng sự (PHONG_SU)`."""
        return "; ".join(
            f"{n} ({c})" for c, n in zip(self.frame["type_code"], self.frame["type_name"], strict=True)
        )

    def suggestion(self, text: object) -> str | None:
        if self._suggestions is None:
            self._suggestions = Suggestions(list(self.frame["type_code"]) + list(self.frame["type_name"]))
        return self._suggestions.closest(text)

    def unknown_message(self, text: object) -> str:
        hint = self.suggestion(text)
        guess = f" Có phải là '{hint}'?" if hint else ""
        return (
            f"Loại hoạt động '{text}' không có trong danh mục.{guess} Hãy ghi tên hoặc mã của một loại: "
            f"{self.listing()}."
        )


def build_catalogue(raw: RawSheet | None, log: ProblemLog) -> TypeCatalogue:
    """The catalogue from the `Loại hoạt động` sheet, or the default one when the sheet is absent."""
    default = TypeCatalogue(pd.DataFrame(DEFAULT_ACTIVITY_TYPES, columns=TYPE_COLUMNS))
    if raw is None:
        return default
    frame = raw.frame.dropna(subset=["type_code", "type_name"]).copy()
    if frame.empty:  # a sheet with headers only (a blank template): as if it were absent
        log.warning(
            "empty_types",
            raw.name,
            None,
            None,
            f"Trang '{raw.name}' chưa có loại hoạt động nào; dùng danh mục mặc định "
            f"({', '.join(default.frame['type_code'])}).",
        )
        return default
    frame["type_code"] = frame["type_code"].astype("string").str.upper()
    dupes = frame[frame["type_code"].duplicated()]
    for row, code in zip(dupes["row"], dupes["type_code"], strict=True):
        header = raw.headers.get("type_code")
        log.error(
            "duplicate_type", raw.name, row, header, f"Mã loại '{code}' bị trùng. Mỗi mã chỉ ghi một lần."
        )
    frame = frame.drop_duplicates("type_code")
    return TypeCatalogue(frame[TYPE_COLUMNS].reset_index(drop=True))


_HYPHEN = re.compile(r"\s*([-\u2013\u2014])\s*")


def _unit_key(value: object) -> str:
    """Match key of a unit code or name; spacing around a hyphen does not count (`VH-TT` = `VH - TT`)."""
    return _HYPHEN.sub("-", match_key(value).replace("\u2013", "-").replace("\u2014", "-"))


class _UnitIndex:
    def __init__(self, units: pd.DataFrame) -> None:
        self.codes = list(units["unit_code"])
        self.names = list(units["unit_name"])
        self._suggestions: Suggestions | None = None  # made on the first unknown reference
        self._names = set(self.names)
        self._lookup: dict[str, str] = {}
        for code in self.codes:
            self._lookup[_unit_key(code)] = code
        for code, name in zip(self.codes, self.names, strict=True):
            key = _unit_key(name)
            if key in self._lookup and self._lookup[key] != code:
                self._lookup[key] = _AMBIGUOUS
            else:
                self._lookup.setdefault(key, code)

    def lookup(self, value: object) -> str | None:
        """The unit code a reference names (by code or exact name), _AMBIGUOUS, or None."""
        return self._lookup.get(_unit_key(value))

    def suggestion(self, value: object, other_than: str | None = None) -> str | None:
        """The code or name most like `value` (the code `other_than` left out), or None."""
        if self._suggestions is None:
            self._suggestions = Suggestions(self.codes + self.names)
        # a name spelled as the left-out code still counts: leave the code out only when it is no name
        exclude = other_than if other_than not in self._names else None
        return self._suggestions.closest(value, exclude=exclude)

    def unknown_message(self, value: object) -> str:
        hint = self.suggestion(value)
        tail = f" Có phải là '{hint}'?" if hint else " Hãy thêm đơn vị vào trang 'Đơn vị'."
        return f"Đơn vị '{value}' không có trong danh sách.{tail}"

    def resolve(self, column: pd.Series, raw: RawSheet, log: ProblemLog) -> pd.Series:
        """Unit codes for the references in `column` (None where unknown/ambiguous, with an error)."""
        header = raw.headers.get("unit_code", "Mã đơn vị")
        found = {value: self._lookup.get(_unit_key(value)) for value in column.dropna().unique()}
        codes = column.map(found)
        for position in np.flatnonzero(
            column.notna().to_numpy() & (codes.isna() | (codes == _AMBIGUOUS)).to_numpy()
        ):
            value, row = column.iloc[position], raw.frame["row"].iloc[position]
            if found[value] is None:
                log.error("unknown_unit", raw.name, row, header, partial(self.unknown_message, value))
            else:
                log.error(
                    "ambiguous_unit",
                    raw.name,
                    row,
                    header,
                    f"Tên '{value}' trùng với nhiều đơn vị. Hãy ghi mã đơn vị thay cho tên.",
                )
        return codes.where(codes != _AMBIGUOUS).astype("object")


def _missing(value: object) -> bool:
    """None, NaN or NA: a blank cell however pandas holds it (never read as the text 'nan')."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _unit_type(value: object, types: tuple[str, ...]) -> tuple[str | None, bool]:
    """(the unit type a cell names, whether it was written short). Exact after normalisation, a
    parenthesised note ignored; else short (`UBND xã`, `Phòng`) when its words belong to exactly one type."""
    keys = set(header_keys(value))
    exact = [t for t in types if keys & set(header_keys(t))]
    if len(exact) == 1:
        return exact[0], False
    words = set(loose_key(value).split())
    if not words:
        return None, False
    matching = [t for t in types if words <= set(loose_key(t).split())]
    return (matching[0], True) if len(matching) == 1 else (None, False)


def _text_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns holding text as pandas' string dtype (the pandas 3 default for text)."""
    for name in frame.columns:
        if frame[name].dtype == object:
            frame[name] = frame[name].astype("str")
    return frame


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, errors="coerce").astype("datetime64[ns]")


def _units(raw: RawSheet, settings: Settings, log: ProblemLog) -> pd.DataFrame:
    frame = raw.frame.copy()
    if frame.empty:
        log.warning(
            "no_units",
            raw.name,
            None,
            None,
            f"Trang '{raw.name}' chưa có đơn vị nào: bảng theo dõi sẽ không có số liệu. "
            "Hãy ghi mỗi đơn vị một dòng (mã, tên, loại đơn vị).",
        )
    frame["unit_code"] = frame["unit_code"].map(lambda c: c.upper() if isinstance(c, str) else c)
    dupes = frame[frame["unit_code"].notna() & frame["unit_code"].duplicated()]
    for row, code in zip(dupes["row"], dupes["unit_code"], strict=True):
        log.error(
            "duplicate_unit",
            raw.name,
            row,
            raw.headers["unit_code"],
            f"Mã đơn vị '{code}' bị trùng. Mỗi đơn vị chỉ ghi một dòng.",
        )
    canonical: list[str | None] = []
    shortened: dict[str, tuple[str, int]] = {}
    types = Suggestions(settings.unit_types)
    for row, value in zip(frame["row"], frame["unit_type"], strict=True):
        if _missing(value):
            canonical.append(None)
            continue
        found, short = _unit_type(value, settings.unit_types)
        if found is None:
            log.error(
                "unknown_unit_type",
                raw.name,
                row,
                raw.headers["unit_type"],
                partial(_unknown_unit_type, value, settings.unit_types, types),
            )
        elif short:
            shortened.setdefault(str(value), (found, row))
        canonical.append(found)
    if shortened:
        first_row = min(row for _, row in shortened.values())
        pairs = "; ".join(f"'{w}' là '{t}'" for w, (t, _) in list(shortened.items())[:10])
        log.warning(
            "short_unit_type",
            raw.name,
            first_row,
            raw.headers["unit_type"],
            f"Loại đơn vị viết tắt được hiểu theo loại duy nhất khớp: {pairs}. Nếu sai, hãy ghi đủ tên loại.",
        )
    frame["unit_type"] = canonical
    frame["valid_from"] = _dates(frame["valid_from"])
    frame["valid_to"] = _dates(frame["valid_to"])
    bad = frame[
        frame["valid_from"].notna() & frame["valid_to"].notna() & (frame["valid_from"] > frame["valid_to"])
    ]
    for row in bad["row"]:
        log.error(
            "bad_validity",
            raw.name,
            row,
            raw.headers.get("valid_to", "Hiệu lực đến"),
            "'Hiệu lực đến' sớm hơn 'Hiệu lực từ'. Hãy kiểm tra lại hai ngày này.",
        )
    frame = frame.dropna(subset=["unit_code", "unit_name"]).drop_duplicates("unit_code")
    return frame[[*UNIT_COLUMNS, "row"]].reset_index(drop=True)


def _unknown_unit_type(value: object, unit_types: tuple[str, ...], suggestions: Suggestions) -> str:
    hint = suggestions.closest(value)
    tail = f" Có phải là '{hint}'?" if hint else ""
    return f"Loại đơn vị '{value}' không hợp lệ.{tail} Hãy ghi một trong các loại: {'; '.join(unit_types)}."


def _unknown_successor(value: object, code: str, index: _UnitIndex) -> str:
    hint = index.suggestion(value, other_than=code)
    tail = f" Có phải là '{hint}'?" if hint else " Hãy ghi mã của một đơn vị trong trang này."
    return f"Đơn vị sáp nhập vào '{value}' không có trong danh sách đơn vị.{tail}"


def _day(value: pd.Timestamp) -> str:
    return value.strftime("%d/%m/%Y")


def _successors(units: pd.DataFrame, raw: RawSheet, log: ProblemLog) -> pd.Series:
    """Resolve `Sáp nhập vào` (a code or exact name of another unit) to unit codes; check that no
    unit merges into itself or, through others, back into itself (errors), that a merged unit has
    an end date and that its successor starts the day after it (warnings). None where blank/bad."""
    if "successor_code" not in raw.headers or units.empty:
        return pd.Series([None] * len(units), index=units.index, dtype="object")
    header = raw.headers["successor_code"]
    index = _UnitIndex(units)
    codes: list[str | None] = []
    for row, code, value in zip(units["row"], units["unit_code"], units["successor_code"], strict=True):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            codes.append(None)
            continue
        found = index.lookup(value)
        if found is None:
            log.error(
                "unknown_successor", raw.name, row, header, partial(_unknown_successor, value, code, index)
            )
        elif found == _AMBIGUOUS:
            log.error(
                "ambiguous_successor",
                raw.name,
                row,
                header,
                f"Tên '{value}' trùng với nhiều đơn vị. Hãy ghi mã đơn vị sáp nhập vào thay cho tên.",
            )
            found = None
        elif found == code:
            log.error(
                "self_successor",
                raw.name,
                row,
                header,
                f"Đơn vị '{code}' không thể sáp nhập vào chính nó. Hãy ghi mã của đơn vị mới "
                "(đơn vị nhận sáp nhập) hoặc để trống.",
            )
            found = None
        codes.append(found)
    successor = dict(zip(units["unit_code"], codes, strict=True))
    rows = dict(zip(units["unit_code"], units["row"], strict=True))
    in_cycle: set[str] = set()
    for start in successor:
        path = [start]
        while successor.get(path[-1]) is not None and successor[path[-1]] not in path:
            path.append(successor[path[-1]])  # type: ignore[arg-type]
        nxt = successor.get(path[-1])
        if nxt is not None and nxt == start and start not in in_cycle:
            loop = " → ".join([*path, start])
            for code in path:
                in_cycle.add(code)
                log.error(
                    "successor_cycle",
                    raw.name,
                    rows[code],
                    header,
                    f"Sáp nhập vòng tròn: {loop}. Một đơn vị không thể sáp nhập (trực tiếp hay qua đơn vị "
                    "khác) vào chính nó; hãy sửa cột này.",
                )
    valid_from = dict(zip(units["unit_code"], units["valid_from"], strict=True))
    to_header = raw.headers.get("valid_to", "Hiệu lực đến")
    for code, valid_to, row in zip(units["unit_code"], units["valid_to"], units["row"], strict=True):
        target = successor.get(code)
        if target is None or code in in_cycle:
            continue
        if pd.isna(valid_to):
            log.warning(
                "successor_without_end",
                raw.name,
                row,
                to_header,
                f"Đơn vị '{code}' đã sáp nhập vào '{target}' nhưng chưa ghi 'Hiệu lực đến'. Hãy ghi ngày "
                "cuối cùng đơn vị còn hoạt động (ngay trước ngày sáp nhập).",
            )
            continue
        start = valid_from[target]
        expected = valid_to + pd.Timedelta(days=1)
        if pd.isna(start) or start != expected:
            since = "chưa ghi 'Hiệu lực từ'" if pd.isna(start) else f"có hiệu lực từ {_day(start)}"
            log.warning(
                "successor_gap",
                raw.name,
                row,
                header,
                f"Đơn vị '{code}' hết hiệu lực ngày {_day(valid_to)} nhưng đơn vị sáp nhập vào '{target}' "
                f"{since}; thường đơn vị mới có hiệu lực từ {_day(expected)}, ngay sau ngày đó. "
                "Hãy kiểm tra lại hai ngày này.",
            )
    return pd.Series(codes, index=units.index, dtype="object")


def _targets(raw: RawSheet, units: _UnitIndex, log: ProblemLog) -> pd.DataFrame:
    frame = raw.frame.copy()
    frame["unit_code"] = units.resolve(frame["unit_code"], raw, log)
    type_fields = [c for c in frame.columns if c.startswith("type:")]
    long = frame.melt(
        id_vars=["row", "year", "quarter", "unit_code"],
        value_vars=type_fields,
        var_name="type_code",
        value_name="target",
    )
    long = long[long["target"].notna() & long["unit_code"].notna() & long["year"].notna()].copy()
    long["type_code"] = long["type_code"].str.slice(5)
    long["quarter"] = long["quarter"].astype("Int64")
    key = ["year", "quarter", "unit_code", "type_code"]
    dupes = long[long.duplicated(key, keep="first")]
    for row, code, type_code in zip(dupes["row"], dupes["unit_code"], dupes["type_code"], strict=True):
        log.error(
            "duplicate_target",
            raw.name,
            row,
            raw.headers.get("unit_code", "Mã đơn vị"),
            f"Chỉ tiêu '{type_code}' của đơn vị '{code}' cho cùng năm/quý đã có ở dòng trên. "
            "Hãy gộp thành một dòng.",
        )
    long = long.drop_duplicates(key).sort_values("row", kind="stable")
    long["year"] = long["year"].astype("int64")
    long["target"] = long["target"].astype("int64")
    return long[TARGET_COLUMNS].reset_index(drop=True)


def _activities(raw: RawSheet, units: _UnitIndex, catalogue: TypeCatalogue, log: ProblemLog) -> pd.DataFrame:
    frame = raw.frame.copy()
    frame["unit_code"] = units.resolve(frame["unit_code"], raw, log)
    header = raw.headers.get("type_code", "Loại hoạt động")
    found = {value: catalogue.code_of(value) for value in frame["type_code"].dropna().unique()}
    codes = frame["type_code"].map(found)
    unknown = frame["type_code"].notna() & codes.isna()
    for value, row in zip(frame.loc[unknown, "type_code"], frame.loc[unknown, "row"], strict=True):
        log.error("unknown_type", raw.name, row, header, partial(catalogue.unknown_message, value))
    frame["type_code"] = codes.astype("object")
    frame["quantity"] = frame["quantity"].fillna(1).astype("int64")
    frame["date"] = _dates(frame["date"])
    frame = frame.dropna(subset=["date", "unit_code", "type_code"])
    return frame[ACTIVITY_COLUMNS].reset_index(drop=True)


def _warn_inactive(activities: pd.DataFrame, units: pd.DataFrame, raw: RawSheet, log: ProblemLog) -> None:
    merged = activities[["date", "unit_code", "row"]].merge(
        units[["unit_code", "valid_from", "valid_to"]], on="unit_code", how="left"
    )
    outside = (merged["valid_from"].notna() & (merged["date"] < merged["valid_from"])) | (
        merged["valid_to"].notna() & (merged["date"] > merged["valid_to"])
    )
    for row, code in zip(merged.loc[outside, "row"], merged.loc[outside, "unit_code"], strict=True):
        log.warning(
            "unit_inactive",
            raw.name,
            row,
            raw.headers.get("date", "Ngày"),
            f"Ngày hoạt động nằm ngoài thời gian hiệu lực của đơn vị '{code}'; hoạt động này không được tính.",
        )


MAX_CHANNEL_WARNINGS = 50


def _channel_groups(raw: RawSheet, log: ProblemLog) -> pd.DataFrame:
    """The `Nhóm kênh` sheet: codes upper-case and unique (errors name the row), keywords normalised."""
    frame = raw.frame.dropna(subset=["group_code", "group_name"]).copy()
    frame["group_code"] = frame["group_code"].map(lambda c: str(c).upper())
    dupes = frame[frame["group_code"].duplicated()]
    for row, code in zip(dupes["row"], dupes["group_code"], strict=True):
        log.error(
            "duplicate_channel_group",
            raw.name,
            row,
            raw.headers.get("group_code", "Mã nhóm"),
            f"Mã nhóm '{code}' bị trùng. Mỗi nhóm kênh chỉ ghi một dòng.",
        )
    frame = frame.drop_duplicates("group_code")
    frame["keywords"] = [
        channels.KEYWORD_SEPARATOR.join(channels.keyword_keys(words)) for words in frame["keywords"]
    ]
    return frame[CHANNEL_GROUP_COLUMNS].reset_index(drop=True)


def _warn_unmapped_channels(
    activities: pd.DataFrame, catalogue: pd.DataFrame, raw: RawSheet, log: ProblemLog
) -> None:
    """One warning per distinct channel text (compared normalised: `Email` = `EMAIL`) that matches no
    group, at its first Excel row, naming it as written there."""
    if activities.empty:
        return
    unmatched = channels.unmatched_mask(activities["channel"], catalogue)
    first = activities.loc[unmatched, ["channel", "row"]]
    first = first.loc[~first["channel"].map(loose_key).duplicated()]
    header = raw.headers.get("channel", "Kênh đăng tải")
    other = catalogue["group_name"].iloc[-1]
    sheet = "'Nhóm kênh'"
    for value, row in zip(first["channel"][:MAX_CHANNEL_WARNINGS], first["row"], strict=False):
        log.warning(
            "unmapped_channel",
            raw.name,
            row,
            header,
            f"Kênh đăng tải '{value}' không thuộc nhóm kênh nào: được tính vào nhóm '{other}'. "
            f"Thêm từ khóa vào trang {sheet} nếu cần.",
        )
    if len(first) > MAX_CHANNEL_WARNINGS:
        log.warning(
            "unmapped_channel",
            raw.name,
            None,
            header,
            f"Còn {len(first) - MAX_CHANNEL_WARNINGS} kênh đăng tải khác không thuộc nhóm kênh nào: được "
            f"tính vào nhóm '{other}'. Thêm từ khóa vào trang {sheet} nếu cần.",
        )


def _directives(raw: RawSheet, log: ProblemLog) -> pd.DataFrame:
    frame = raw.frame.dropna(subset=["number", "issued_date", "summary"]).copy()
    frame["issued_date"] = _dates(frame["issued_date"])
    return frame[DIRECTIVE_COLUMNS].reset_index(drop=True)


def _optional(raw: RawSheet, units: _UnitIndex, columns: list[str], log: ProblemLog) -> pd.DataFrame:
    frame = raw.frame.copy()
    frame["unit_code"] = units.resolve(frame["unit_code"], raw, log)
    required = [c.field for c in raw.spec.columns if c.required]
    frame = frame.dropna(subset=required)
    return frame[columns].reset_index(drop=True)


def _reviews(raw: RawSheet, units: _UnitIndex, log: ProblemLog) -> pd.DataFrame:
    frame = _optional(raw, units, REVIEW_COLUMNS, log)
    frame["review_date"] = _dates(frame["review_date"])
    for name in ("has_cchc_section", "updated_this_quarter"):
        frame[name] = frame[name].astype("boolean")
    frame["broken_links"] = frame["broken_links"].astype("Int64")
    frame["score"] = frame["score"].astype("Float64")
    return frame


def _funding(raw: RawSheet, units: _UnitIndex, log: ProblemLog) -> pd.DataFrame:
    frame = _optional(raw, units, FUNDING_COLUMNS, log)
    frame["year"] = frame["year"].astype("int64")
    frame["allocated"] = frame["allocated"].astype("int64")
    frame["spent"] = frame["spent"].astype("Int64")
    return frame


def _initiatives(raw: RawSheet, units: _UnitIndex, log: ProblemLog) -> pd.DataFrame:
    statuses = {match_key(s): s for s in INITIATIVE_STATUSES}
    header = raw.headers.get("status", "Tình trạng")
    fixed: list[str | None] = []
    for value, row in zip(raw.frame["status"], raw.frame["row"], strict=True):
        if _missing(value):
            fixed.append(None)
        elif match_key(value) in statuses:
            fixed.append(statuses[match_key(value)])
        else:
            log.warning(
                "unknown_status",
                raw.name,
                row,
                header,
                f"Tình trạng '{value}' không thuộc: {', '.join(INITIATIVE_STATUSES)}. Giữ nguyên như đã ghi.",
            )
            fixed.append(value)
    raw.frame["status"] = fixed
    frame = _optional(raw, units, INITIATIVE_COLUMNS, log)
    frame["year"] = frame["year"].astype("int64")
    return frame


def resolve_workbook(
    raw: dict[str, RawSheet], catalogue: TypeCatalogue, settings: Settings, log: ProblemLog
) -> Workbook | None:
    """Resolve references between the parsed sheets and assemble the Workbook (None if a table is missing)."""
    if not all(k in raw for k in ("units", "targets", "activities")):
        return None
    units = _units(raw["units"], settings, log)
    units["successor_code"] = _successors(units, raw["units"], log)
    units = units[UNIT_COLUMNS]
    index = _UnitIndex(units)
    activities = _activities(raw["activities"], index, catalogue, log)
    _warn_inactive(activities, units, raw["activities"], log)
    optional = {"portal_reviews": _reviews, "funding": _funding, "initiatives": _initiatives}
    extra = {key: build(raw[key], index, log) for key, build in optional.items() if key in raw}
    if "channel_groups" in raw:
        extra["channel_groups"] = _channel_groups(raw["channel_groups"], log)
    if "directives" in raw:
        extra["directives"] = _directives(raw["directives"], log)
    groups = extra.get("channel_groups")
    catalogue_in_use = (
        channels.default_catalogue() if groups is None or groups.empty else channels.catalogue_frame(groups)
    )
    _warn_unmapped_channels(activities, catalogue_in_use, raw["activities"], log)
    tables = {
        "units": units,
        "activity_types": catalogue.frame,
        "targets": _targets(raw["targets"], index, log),
        "activities": activities,
        **extra,
    }
    return Workbook(**{key: _text_columns(frame) for key, frame in tables.items()})
