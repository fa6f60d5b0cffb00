"""AppTest of the Báo cáo page's build step (web/report_downloads.py): a worker that fails or times out is a
Vietnamese message and no download; files built for other inputs are not offered."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cchc_lib.publishing import report_job
from cchc_lib.reading import sandbox
from cchc_lib.reading.safety import UnsafeFile
from cchc_lib.web import report_downloads

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "cam_xuyen_2024.xlsx"
APP = str(ROOT / "app.py")
PAGE = "pages/5_bao_cao.py"
pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason="the bundled sample workbook is missing")


def report_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["cchc.year"] = 2024
    at.session_state["cchc.kind"] = "Q1"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def downloads(at: AppTest) -> list[str]:
    return [
        b.proto.label for b in at.get("download_button") if b.proto.label.startswith(("Tải báo", "Tải phụ"))
    ]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("parse_timeout", "Lập báo cáo quá lâu (quá 120 giây) nên đã dừng."),
        ("parse_memory", "Lập báo cáo cần nhiều bộ nhớ hơn mức máy chủ cho phép nên đã dừng."),
        ("parse_crashed", "Không lập được báo cáo do một lỗi trên máy chủ (đã ghi vào nhật ký)."),
    ],
)
def test_a_failed_build_is_a_vietnamese_message_and_no_download(
    settings_env: Path, monkeypatch: pytest.MonkeyPatch, code: str, expected: str
) -> None:
    at = report_page()
    real = sandbox.parse_isolated

    def failing(data, settings, reader=None, **kwargs):
        if reader == report_job.REPORTER:
            raise UnsafeFile(code)
        return real(data, settings, reader, **kwargs)

    monkeypatch.setattr(sandbox, "parse_isolated", failing)
    at.button(key="report_build").click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith(expected), errors
    assert downloads(at) == []


def test_files_built_for_other_inputs_are_not_offered(settings_env: Path) -> None:
    at = report_page()
    assert downloads(at) == [] and report_downloads.BUILD_LABEL in [b.label for b in at.button]
    at.button(key="report_build").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Tải báo cáo (Word)" in downloads(at) and "Tải phụ lục (Excel)" in downloads(at)
    assert not at.error
    at.text_input(key="report_number").set_value("45").run()  # the number changed: a new build is needed
    assert downloads(at) == []
    assert [i.value for i in at.info if i.value == report_downloads.CHANGED]
    at.button(key="report_build").click().run()
    assert "Tải báo cáo (Word)" in downloads(at)
    assert not [i.value for i in at.info if i.value == report_downloads.CHANGED]
