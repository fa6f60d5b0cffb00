"""Tests for cchc_lib.documents.exports: XLSX/CSV read back, Vietnamese headers, formats, formula injection."""

from __future__ import annotations

import io
import math
import zipfile
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest

from cchc_lib.documents.exports import neutralise, to_csv_bytes, to_xlsx_bytes

HOSTILE = ["=1+1", "+SUM(A1)", "@cmd", "-2+3", "\tx", "\r=1", "\n=1"]


def activities() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-03-05", "2024-12-31", None, "2024-01-01"]),
            "unit_code": ["XCQ", "PNV", "PTP", "XCD"],
            "quantity": [1, 12, 3, 1234567],
            "completion_pct": [87.46, math.nan, 100.0, 0.5],
            "title": ["=1+1", "+SUM(A1)", "@cmd", "-2+3"],
            "link": ["https://camxuyen.hatinh.gov.vn/tin/1", None, "b", "c"],
        }
    )


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_xml(data: bytes, number: int = 1) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(f"xl/worksheets/sheet{number}.xml").decode("utf-8")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("Tin, bài", "Tin, bài"),
        ("a=1", "a=1"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_neutralise(value: object, expected: object) -> None:
    assert neutralise(value) == expected


def test_xlsx_headers_values_and_formats() -> None:
    ws = load(to_xlsx_bytes(activities())).active
    assert ws.title == "Dữ liệu"
    assert [c.value for c in ws[1]] == [
        "Ngày",
        "Mã đơn vị",
        "Số lượng",
        "Tỷ lệ hoàn thành (%)",
        "Tiêu đề",
        "Đường dẫn",
    ]
    assert all(c.font.bold for c in ws[1])
    assert ws["A2"].value == datetime(2024, 3, 5)
    assert ws["A2"].number_format == "dd/mm/yyyy"
    assert ws["A4"].value is None  # NaT -> blank
    assert [ws.cell(row=r, column=3).value for r in range(2, 6)] == [1, 12, 3, 1234567]
    assert ws["C5"].number_format == "#,##0"
    assert ws["D2"].value == 87.46 and ws["D2"].number_format == "0.0"
    assert ws["D3"].value is None  # NaN -> blank
    assert ws["F2"].value == "https://camxuyen.hatinh.gov.vn/tin/1" and ws["F2"].hyperlink is None
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:F5"
    assert ws.max_row == 5


def test_xlsx_text_that_looks_like_formulas_stays_text() -> None:
    df = pd.DataFrame({"title": HOSTILE, "note": ["ok"] * len(HOSTILE)})
    data = to_xlsx_bytes({"Hoạt động": df}, title='=HYPERLINK("x")')
    ws = load(data)["Hoạt động"]
    assert ws["A1"].value == '=HYPERLINK("x")' and ws["A1"].data_type == "s"
    values = [ws.cell(row=r, column=1).value for r in range(3, 3 + len(HOSTILE))]
    # openpyxl without lxml turns a stored CR into LF: the text stays text, only the line ending may change
    assert all(got in (v, v.replace("\r", "\n")) for got, v in zip(values, HOSTILE, strict=True)), values
    assert all(ws.cell(row=r, column=1).data_type == "s" for r in range(3, 3 + len(HOSTILE)))
    xml = sheet_xml(data)
    assert "<f>" not in xml and "<f " not in xml
    assert ws.freeze_panes == "A3"  # title row + header row


def test_xlsx_hostile_headers_and_sheet_names() -> None:
    data = to_xlsx_bytes(
        {"Báo/cáo: [1]": pd.DataFrame({"=cmd": [1]}), "Báo cáo  1 ": pd.DataFrame({"x": [2]})}
    )
    wb = load(data)
    assert len(wb.sheetnames) == 2 and all(len(n) <= 31 for n in wb.sheetnames)
    assert not any(ch in n for n in wb.sheetnames for ch in "[]:*?/\\")
    assert wb.worksheets[0]["A1"].value == "=cmd"
    assert "<f>" not in sheet_xml(data, 1) and "<f " not in sheet_xml(data, 1)


def test_xlsx_widths_from_content_capped() -> None:
    df = pd.DataFrame({"note": ["x" * 300], "unit_code": ["A"], "title": ["Tin về cải cách hành chính"]})
    ws = load(to_xlsx_bytes(df)).active
    assert ws.column_dimensions["A"].width == 50  # capped
    assert ws.column_dimensions["B"].width == len("Mã đơn vị") + 2  # header is the widest
    assert ws.column_dimensions["C"].width == len("Tin về cải cách hành chính") + 2


def test_xlsx_booleans_datetimes_and_nullable_ints() -> None:
    df = pd.DataFrame(
        {
            "has_cchc_section": [True, False],
            "created_at": pd.to_datetime(["2024-03-05 08:30", "2024-03-06 17:05"]),
            "broken_links": pd.array([2, None], dtype="Int64"),
            "valid_from": [date(2024, 7, 1), None],
        }
    )
    ws = load(to_xlsx_bytes(df)).active
    assert [ws["A2"].value, ws["A3"].value] == ["Có", "Không"]
    assert ws["B2"].value == datetime(2024, 3, 5, 8, 30) and ws["B2"].number_format == "dd/mm/yyyy hh:mm"
    assert ws["C2"].value == 2 and ws["C3"].value is None
    assert ws["D2"].value == datetime(2024, 7, 1) and ws["D2"].number_format == "dd/mm/yyyy"


def test_xlsx_empty_frame_has_headers() -> None:
    ws = load(to_xlsx_bytes(pd.DataFrame(columns=["unit_code", "planned"]))).active
    assert [c.value for c in ws[1]] == ["Mã đơn vị", "Kế hoạch"]
    assert ws.max_row == 1 and ws.freeze_panes == "A2"


def test_csv_bom_headers_dates_and_neutralised() -> None:
    data = to_csv_bytes(activities())
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Ngày,Mã đơn vị,Số lượng,Tỷ lệ hoàn thành (%),Tiêu đề,Đường dẫn"
    assert lines[1] == "05/03/2024,XCQ,1,87.46,'=1+1,https://camxuyen.hatinh.gov.vn/tin/1"
    assert lines[2] == "31/12/2024,PNV,12,,'+SUM(A1),"
    assert lines[3] == ",PTP,3,100.0,'@cmd,b"
    assert lines[4] == "01/01/2024,XCD,1234567,0.5,'-2+3,c"


def test_csv_reads_back_with_pandas() -> None:
    df = pd.DataFrame({"title": ['Tin, bài "CCHC"', "\n=1"], "note": ["Ghi chú", None]})
    back = pd.read_csv(io.BytesIO(to_csv_bytes(df)), encoding="utf-8-sig", keep_default_na=False)
    assert list(back.columns) == ["Tiêu đề", "Ghi chú"]
    assert back["Tiêu đề"].tolist() == ['Tin, bài "CCHC"', "'\n=1"]
    assert back["Ghi chú"].tolist() == ["Ghi chú", ""]
