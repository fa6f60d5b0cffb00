"""AppTest for the Báo cáo page: headline figures, download buttons, preview, templates, empty period."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "cam_xuyen_2024.xlsx"
APP = str(ROOT / "app.py")
PAGE = "pages/5_bao_cao.py"

pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason="the bundled sample workbook is missing")


@pytest.fixture
def settings_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings pointing at a copy of the sample and an empty store (never the real data/store)."""
    sample = tmp_path / "sample.xlsx"
    shutil.copyfile(SAMPLE, sample)
    path = tmp_path / "settings.toml"
    path.write_text(f'sample_file = "{sample.as_posix()}"\nstore_dir = "{(tmp_path / "store").as_posix()}"\n')
    monkeypatch.setenv("CCHC_SETTINGS", str(path))
    return path


def run_page(state: dict[str, object] | None = None) -> AppTest:
    """Start on the home page, then open the report page the way a direct link does."""
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in (state or {}).items():
        at.session_state[key] = value
    at.run()
    at.switch_page(PAGE).run()
    return at


def buttons(at: AppTest) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


def test_report_page_figures_downloads_and_preview(settings_env: Path) -> None:
    at = run_page({"cchc.year": 2024, "cchc.kind": "Q2"})
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Báo cáo"]
    assert [m.label for m in at.metric] == [
        "Tỷ lệ hoàn thành",
        "Đã thực hiện / kế hoạch",
        "Đơn vị hoàn thành",
        "Đơn vị chưa có hoạt động",
    ]
    assert at.metric[0].value.endswith(" %")  # 87,5 % as on every other page
    labels = buttons(at)
    for label in ("Tải báo cáo (Word)", "Tải phụ lục (Excel)", "Tải mẫu chung", "Tải mẫu của đơn vị"):
        assert label in labels
    assert any("quý II năm 2024" in s.value for s in at.subheader)
    preview = " ".join(m.value for m in at.markdown)
    assert "KẾT QUẢ THỰC HIỆN" in preview
    assert any(s.label == "Mẫu riêng cho đơn vị" for s in at.selectbox)
    menu = [link.proto.label for link in at.sidebar.get("page_link")]
    assert "Báo cáo" in menu


def test_pdf_button_only_with_libreoffice(settings_env: Path) -> None:
    from cchc_lib.reports import pdf_available

    at = run_page({"cchc.year": 2024})
    assert not at.exception
    assert ("Tải báo cáo (PDF)" in buttons(at)) == pdf_available()


def test_period_without_data(settings_env: Path) -> None:
    at = run_page({"cchc.year": 2030})
    assert not at.exception, [e.value for e in at.exception]
    assert any("Chưa có dữ liệu cho kỳ này" in i.value for i in at.info)
    assert not at.metric
    assert "Tải báo cáo (Word)" in buttons(at)  # an empty report can still be made
