"""The Báo cáo page's downloads: one click builds the Word report and the Excel annex in the worker process
(the server stays free for everyone else), then both download at once; a failure is a Vietnamese message."""

from __future__ import annotations

import logging
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import streamlit as st

from cchc_lib.common.settings import Settings
from cchc_lib.documents import reports
from cchc_lib.documents.reports import ReportError, ReportParts
from cchc_lib.publishing import report_job
from cchc_lib.publishing.store_base import file_sha256
from cchc_lib.reading.model import Workbook
from cchc_lib.web import data, limits

__all__ = ["BUILD_LABEL", "BUILDING", "Built", "build", "show", "snapshot_ref"]

LOG = logging.getLogger("cchc_lib.web")
BUILD_LABEL = "Lập báo cáo để tải về"
BUILDING = "Đang lập báo cáo và phụ lục…"
BUILD_HINT = (
    "Bấm “{label}” để lập tệp Word và phụ lục Excel theo kỳ, ngày ban hành, số báo cáo và nội dung đang "
    "chọn; các nút tải về hiện ra khi lập xong."
)
CHANGED = "Kỳ, số liệu hoặc nội dung đã thay đổi sau lần lập trước: hãy lập lại báo cáo để tải bản mới."
_BUILT_KEY = "cchc.report.built"


@dataclass(frozen=True)
class Built:
    """The documents built for one set of inputs (`inputs`), or why they could not be (`problem`)."""

    inputs: Hashable
    docx: bytes = b""
    xlsx: bytes = b""
    problem: str | None = None


def snapshot_ref(source: data.DataSource, settings: Settings) -> report_job.SnapshotRef:
    """Where the worker finds the shown version's tables: its snapshot folder and the sha256 of its bytes."""
    path = Path(source.path)
    sha256 = file_sha256(path) if source.is_sample else source.stamp
    return (str(data.snapshot_dir(path, source.stamp, settings)), sha256)


def build(
    parts: ReportParts,
    settings: Settings,
    *,
    inputs: Hashable,
    issued: date,
    number: str | None,
    source: data.DataSource,
    wb: Workbook,
) -> Built:
    """The Word report and the Excel annex of `parts` built in the worker (report_job.build_isolated)
    from the snapshot of `source` (or the tables `wb` when it is not sound)."""
    try:
        docx, xlsx = report_job.build_isolated(
            ("docx", "xlsx"), parts, settings, issued=issued, number=number,
            snapshot=snapshot_ref(source, settings), workbook=wb,
        )  # fmt: skip
    except ReportError as exc:
        return Built(inputs, problem=str(exc))
    except OSError:  # the sample's file vanished under us: said like any other failure
        LOG.exception("Building the report of %s failed", source.path)
        return Built(inputs, problem=report_job.FAILED)
    return Built(inputs, docx=docx, xlsx=xlsx)


def show(
    settings: Settings,
    parts: ReportParts,
    *,
    inputs: Hashable,
    issued: date,
    number: str | None,
    source: data.DataSource,
    wb: Workbook,
    slug: str,
) -> None:
    """The build button (refused past the `report` rate limit), then the downloads of what this session
    built for these very `inputs` (period, data version, texts, issue date, number): Word, PDF from that
    Word file when LibreOffice is installed, Excel annex. Built files of other inputs are not offered."""
    who = limits.keys()  # taken now: the PDF's builder runs outside the page run
    refusal = limits.peek("report", settings, who)
    if refusal:
        st.warning(refusal, icon=":material/hourglass_top:")
    notice = st.empty()  # above the button: said only when this run does not build anew
    built = st.session_state.get(_BUILT_KEY)
    stale = built is not None and built.inputs != inputs
    if stale:
        built = None
    if st.button(BUILD_LABEL, key="report_build", type="primary", icon=":material/description:",
                 disabled=bool(refusal)):  # fmt: skip
        try:
            limits.take("report", settings, who)
        except limits.RateLimited as exc:
            st.warning(str(exc), icon=":material/hourglass_top:")
        else:
            with st.spinner(BUILDING):
                built = build(
                    parts, settings, inputs=inputs, issued=issued, number=number, source=source, wb=wb
                )
            st.session_state[_BUILT_KEY] = built
    if stale and built is None:
        notice.info(CHANGED, icon=":material/update:")
    if built is None:
        st.caption(BUILD_HINT.format(label=BUILD_LABEL))
        return
    if built.problem:
        st.error(built.problem, icon=":material/error:")
        return
    _downloads(built, settings, who, slug, bool(refusal))


def _downloads(built: Built, settings: Settings, who: tuple[str, str], slug: str, refused: bool) -> None:
    docx = built.docx

    def _pdf() -> bytes:
        limits.take("report", settings, who)
        return reports.docx_to_pdf(docx)

    columns = st.columns(3)
    columns[0].download_button(
        "Tải báo cáo (Word)", data=docx, file_name=f"{slug}.docx", mime=reports.DOCX_MIME, on_click="ignore",
        icon=":material/description:", key="report_docx", width="stretch",
    )  # fmt: skip
    if reports.pdf_available():
        columns[1].download_button(
            "Tải báo cáo (PDF)", data=_pdf, file_name=f"{slug}.pdf", mime=reports.PDF_MIME, on_click="ignore",
            icon=":material/picture_as_pdf:", key="report_pdf", disabled=refused, width="stretch",
        )  # fmt: skip
    else:
        columns[1].caption(
            "Bản PDF cần LibreOffice trên máy chủ (chưa cài). Có thể mở tệp Word và lưu thành PDF."
        )
    columns[2].download_button(
        "Tải phụ lục (Excel)", data=built.xlsx, file_name=f"phu_luc_{slug}.xlsx", mime=reports.XLSX_MIME,
        on_click="ignore", icon=":material/table_view:", key="report_xlsx", width="stretch",
    )  # fmt: skip
