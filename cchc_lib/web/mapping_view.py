"""The upload page's column mapping: which mapping applies, the form that maps a file's headers to the
format's columns (prefilled with the proposals), and the note saying a saved mapping was used."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
import streamlit as st

from cchc_lib.common.settings import Settings
from cchc_lib.common.text import match_key
from cchc_lib.publishing.store import WHOLE_BOOK
from cchc_lib.reading.column_mapping import NONE_LABEL, MappingError, validate_mapping
from cchc_lib.reading.model import ReadResult
from cchc_lib.reading.schema import SHEETS, SheetSpec
from cchc_lib.web.render import md_escape

__all__ = [
    "SHEETS",
    "TITLE",
    "PREVIEW_LABEL",
    "describe",
    "key_label",
    "mapping_form",
    "mapping_key",
    "missing_header_sheets",
    "reader_for",
]

TITLE = "Ghép cột của tệp với các cột của mẫu"
PREVIEW_LABEL = "Xem thử cách đọc"
INTRO = (
    "Tệp dùng tên cột riêng của cơ quan. Hãy chọn, cho mỗi cột của mẫu, cột tương ứng trong tệp (đã chọn "
    "sẵn cột giống nhất), rồi bấm «Xem thử cách đọc»: tệp được đọc lại theo cách ghép này và kiểm tra như "
    "thường lệ. Không có gì được lưu cho đến khi bạn xác nhận cập nhật."
)
Mapping_ = dict[str, dict[str, str]]


def mapping_key(kind: str, unit_code: str | None) -> str | None:
    """The store key a mapping is kept under: the unit for a unit's submission, WHOLE_BOOK for a
    whole-workbook upload."""
    if kind == "unit":
        return unit_code or None
    return WHOLE_BOOK


def key_label(key: str) -> str:
    """'đơn vị XCB' / 'toàn bộ sổ' (Markdown-safe)."""
    return "toàn bộ sổ" if key == WHOLE_BOOK else f"đơn vị {md_escape(key)}"


def missing_header_sheets(problems: pd.DataFrame) -> list[SheetSpec]:
    """The format's sheets whose required headers were not found (errors `missing_header`), in order."""
    if problems is None or problems.empty:
        return []
    named = {match_key(s) for s in problems.loc[problems["code"] == "missing_header", "sheet"].dropna()}
    return [spec for spec in SHEETS if match_key(spec.name) in named]


def reader_for(
    upload: bytes, mapping: Mapping_ | None, read: Callable[..., ReadResult] | None = None
) -> Callable[[bytes, Settings], ReadResult]:
    """A reader for submissions.prepare_update applying `mapping` to the uploaded bytes only: the current
    version and a merged workbook keep the format's headers and are read without it."""
    if read is None:
        from cchc_lib.reading.sandbox import read_untrusted as read

    def reader(data: bytes, settings: Settings) -> ReadResult:
        if mapping and data == upload:
            return read(data, settings, mapping=mapping)
        return read(data, settings)

    return reader


def describe(mapping: Mapping_) -> str:
    """The mapping in words for a note: «Hoạt động»: 'Ngày đăng' → Ngày; … (file text Markdown-escaped)."""
    parts = []
    for spec in SHEETS:
        pairs = mapping.get(spec.name) or {}
        if not pairs:
            continue
        header_of = {c.field: c.header for c in spec.columns}
        shown = "; ".join(f"'{md_escape(h)}' → {header_of.get(f, f)}" for h, f in pairs.items())
        parts.append(f"trang «{spec.name}»: {shown}")
    return " · ".join(parts)


def _initial(
    spec: SheetSpec, headers: list[str], proposals: Mapping[str, str], current: Mapping_ | None
) -> dict[str, str]:
    """{field: file header} to preselect: the proposals, overridden by the mapping in use (headers the
    file has only)."""
    chosen = {field: header for field, header in proposals.items() if header in headers}
    for header, field in ((current or {}).get(spec.name) or {}).items():
        if header in headers:
            chosen = {f: h for f, h in chosen.items() if h != header}
            chosen[field] = header
    return chosen


def mapping_form(
    sheets: list[SheetSpec],
    inspection: Mapping[str, Any],
    current: Mapping_ | None,
    form_key: str,
) -> Mapping_ | None:
    """For each sheet in `sheets` found by the inspection (column_mapping.inspect_headers): one selectbox
    per column of the format (required first), options = the file's headers + «(không có)», prefilled
    with `current` (the mapping in use) or the proposals. Returns the chosen mapping, validated, when
    «Xem thử cách đọc» is pressed (errors shown, None otherwise)."""
    shown = [spec for spec in sheets if spec.name in inspection and inspection[spec.name].get("headers")]
    if not shown:
        st.warning(
            "Không tìm thấy dòng tiêu đề nào để ghép trong 30 dòng đầu của trang tính thiếu cột. Hãy kiểm tra "
            "tệp (dòng tiêu đề, tên trang tính) rồi tải lên lại.",
            icon=":material/warning:",
        )
        return None
    st.markdown(INTRO)
    choices: dict[str, list[tuple[str, str]]] = {}
    with st.form(form_key, border=True):
        for spec in shown:
            found = inspection[spec.name]
            headers = [str(h) for h in found["headers"]]
            initial = _initial(spec, headers, found.get("proposals") or {}, current)
            st.markdown(
                f"**Trang «{spec.name}»** (tiêu đề ở dòng {int(found['row'])} của trang "
                f"«{md_escape(found['sheet'])}»)"
            )
            options = [NONE_LABEL, *headers]
            ordered = [c for c in spec.columns if c.required] + [c for c in spec.columns if not c.required]
            columns = st.columns(3)
            picked: list[tuple[str, str]] = []
            for index, column in enumerate(ordered):
                label = f"{column.header} (bắt buộc)" if column.required else column.header
                with columns[index % 3]:
                    value = st.selectbox(
                        label,
                        options,
                        index=options.index(initial[column.field]) if column.field in initial else 0,
                        key=f"{form_key}.{match_key(spec.name)}.{column.field}",
                    )
                if value != NONE_LABEL:
                    picked.append((value, column.field))
            choices[spec.name] = picked
        submitted = st.form_submit_button(PREVIEW_LABEL, type="primary", icon=":material/visibility:")
    if not submitted:
        return None
    problems: list[str] = []
    raw: Mapping_ = {}
    for spec in shown:
        pairs = choices[spec.name]
        spec_headers = {c.field: c.header for c in spec.columns}
        by_header: dict[str, list[str]] = {}
        for header, field in pairs:
            by_header.setdefault(header, []).append(field)
        for header, fields in by_header.items():
            if len(fields) > 1:
                named = ", ".join(f"'{spec_headers[f]}'" for f in fields)
                problems.append(
                    f"Trang «{spec.name}»: cột '{md_escape(header)}' của tệp được chọn cho nhiều cột của mẫu "
                    f"({named}). Mỗi cột của tệp chỉ ghép vào một cột."
                )
        missing = [c.header for c in spec.columns if c.required and c.field not in {f for _, f in pairs}]
        if missing:
            problems.append(
                f"Trang «{spec.name}»: hãy chọn cột của tệp cho {', '.join(repr(m) for m in missing)} (cột bắt buộc)."
            )
        raw[spec.name] = dict(pairs)
    if not problems:
        try:
            return validate_mapping(raw)
        except MappingError as exc:
            problems = [md_escape(p) for p in exc.problems]
    for problem in problems:
        st.error(problem, icon=":material/error:")
    return None
