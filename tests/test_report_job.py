"""The report's documents built in the worker process (publishing/report_job.py) are the documents built
in-process, part for part; the worker reads the version's snapshot (the tables are sent only when it is not
sound), and a worker that times out or fails gives a Vietnamese message, never a traceback."""

from __future__ import annotations

import hashlib
import io
import logging
import re
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from cchc_lib.common.periods import parse_period
from cchc_lib.common.settings import Settings
from cchc_lib.documents import reports
from cchc_lib.documents.reports import ReportError
from cchc_lib.publishing import report_job, snapshots
from cchc_lib.publishing.published import write_snapshot
from cchc_lib.reading import sandbox
from cchc_lib.reading.sandbox import read_trusted
from cchc_lib.sample.builder import build_xlsx
from cchc_lib.sample.sample_data import big_spec

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "cam_xuyen_2024.xlsx"
ISSUED = date(2024, 7, 5)
OWN_TEXT = "Ngày 10/01/2024, UBND huyện ban hành Kế hoạch số 05/KH-UBND về tuyên truyền CCHC năm 2024."
pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason="the bundled sample workbook is missing")


def source_bytes(source: str) -> bytes:
    # the fixture: 1,500 generated activities over other units and years than the sample's
    return SAMPLE.read_bytes() if source == "sample" else build_xlsx(big_spec(1_500, seed=3))


def parts_of(body: bytes, settings: Settings, period: str):
    wb = read_trusted(body, settings).workbook
    assert wb is not None
    parts = reports.prepare_report(wb, parse_period(period), "report", settings, texts={"chi_dao": OWN_TEXT})
    return wb, parts


def zip_parts(data: bytes) -> dict[str, bytes]:
    """Every part of an OOXML package but its core properties (they carry the time of saving)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {name: package.read(name) for name in package.namelist() if name != "docProps/core.xml"}


def docx_text(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    document = Document(io.BytesIO(data))
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return [p.text for p in document.paragraphs], tables


def xlsx_values(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


@pytest.mark.parametrize(("source", "period"), [("sample", "2024-Q2"), ("fixture", "2024")])
def test_the_worker_builds_the_same_documents_as_the_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, period: str
) -> None:
    settings = Settings()
    body = source_bytes(source)
    wb, parts = parts_of(body, settings, period)
    sha256 = hashlib.sha256(body).hexdigest()
    assert write_snapshot(tmp_path, sha256, wb, settings)
    sent: list[set[str]] = []
    real = sandbox.parse_isolated

    def recording(data, s, reader=None, **kwargs):
        sent.append(set(kwargs.get("options", {})))
        return real(data, s, reader, **kwargs)

    monkeypatch.setattr(sandbox, "parse_isolated", recording)
    docx, xlsx = report_job.build_isolated(
        ("docx", "xlsx"),
        parts,
        settings,
        issued=ISSUED,
        number="45",
        snapshot=(str(tmp_path), sha256),
        workbook=wb,
    )
    assert len(sent) == 1 and "snapshot" in sent[0] and "workbook" not in sent[0]  # nothing big was sent

    here_docx = reports.build_report(
        wb, parts.period, "report", settings, parts=parts, issued=ISSUED, number="45"
    )
    here_xlsx = reports.build_annex(parts, settings, wb=wb, issued=ISSUED, number="45")
    assert zip_parts(docx) == zip_parts(here_docx)
    assert zip_parts(xlsx) == zip_parts(here_xlsx)
    paragraphs, tables = docx_text(docx)
    assert (paragraphs, tables) == docx_text(here_docx)
    assert xlsx_values(xlsx) == xlsx_values(here_xlsx)
    # what the clerk set is in the worker's document: the edited section, the number, the issue date
    assert OWN_TEXT in paragraphs
    cells = "\n".join(cell for table in tables for row in table for cell in row)
    assert "Số: 45/" in cells and "ngày 05 tháng 7 năm 2024" in cells
    annex = "\n".join(str(v) for rows in xlsx_values(xlsx).values() for row in rows for v in row if v)
    assert "Kèm theo Báo cáo số 45/" in annex and "ngày 05 tháng 7 năm 2024" in annex


def test_without_a_sound_snapshot_the_tables_are_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings()
    body = SAMPLE.read_bytes()
    wb, parts = parts_of(body, settings, "2024-Q1")
    sha256 = hashlib.sha256(body).hexdigest()
    write_snapshot(tmp_path, sha256, wb, settings)
    snapshots.table_path(tmp_path, sha256, "activities").write_bytes(b"not parquet")  # damaged
    sent: list[set[str]] = []
    real = sandbox.parse_isolated
    monkeypatch.setattr(
        sandbox,
        "parse_isolated",
        lambda d, s, r=None, **k: sent.append(set(k["options"])) or real(d, s, r, **k),
    )
    with caplog.at_level(logging.WARNING, logger=report_job.LOG.name):
        (docx,) = report_job.build_isolated(
            ("docx",), parts, settings, issued=ISSUED, snapshot=(str(tmp_path), sha256), workbook=wb
        )
    assert ["snapshot" in k for k in sent] == [True, False] and "workbook" in sent[1]
    assert "No sound snapshot" in caplog.text
    here = reports.build_report(wb, parts.period, "report", settings, parts=parts, issued=ISSUED)
    assert zip_parts(docx) == zip_parts(here)
    assert "Số:       /" in "\n".join(c for t in docx_text(docx)[1] for r in t for c in r)  # left blank


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"parse_timeout_s": 0.05}, re.escape("Lập báo cáo quá lâu (quá 0,05 giây) nên đã dừng.")),
        (
            {"parse_memory_mb": 48},
            "Lập báo cáo cần nhiều bộ nhớ|Không lập được báo cáo do một lỗi trên máy chủ",
        ),
    ],
)
def test_a_worker_out_of_time_or_memory_is_a_vietnamese_message(change: dict, expected: str) -> None:
    settings = Settings()
    wb, parts = parts_of(SAMPLE.read_bytes(), settings, "2024-Q1")
    with pytest.raises(ReportError, match=expected) as caught:
        report_job.build_isolated(
            ("docx", "xlsx"), parts, replace(settings, **change), issued=ISSUED, workbook=wb
        )
    assert "Traceback" not in str(caught.value) and "Error" not in str(caught.value)


def test_unknown_kinds_are_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown report kinds"):
        report_job.build_isolated(("pdf",), None, Settings(), issued=ISSUED)  # type: ignore[arg-type]
