"""AppTest for the Báo cáo page: headline figures, download buttons, preview, templates, empty period."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from streamlit.testing.v1 import AppTest

from cchc_lib.web.render import md_escape

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "cam_xuyen_2024.xlsx"
APP = str(ROOT / "app.py")
PAGE = "pages/5_bao_cao.py"

pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason="the bundled sample workbook is missing")


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


def build(at: AppTest) -> AppTest:
    """Click "Lập báo cáo để tải về": the documents are built (in the worker) and offered."""
    at.button(key="report_build").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


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
    assert "Tải báo cáo (Word)" not in buttons(at)  # nothing is built before it is asked for
    labels = buttons(build(at))
    for label in ("Tải báo cáo (Word)", "Tải phụ lục (Excel)", "Tải mẫu chung", "Tải mẫu của đơn vị"):
        assert label in labels
    assert any("quý II năm 2024" in s.value for s in at.subheader)
    preview = " ".join(m.value for m in at.markdown)
    assert "KẾT QUẢ THỰC HIỆN" in preview
    assert any(s.label == "Mẫu riêng cho đơn vị" for s in at.selectbox)
    menu = [link.proto.label for link in at.sidebar.get("page_link")]
    assert "Báo cáo" in menu


def test_pdf_button_only_with_libreoffice(settings_env: Path) -> None:
    from cchc_lib.documents.reports import pdf_available

    at = build(run_page({"cchc.year": 2024}))
    assert ("Tải báo cáo (PDF)" in buttons(at)) == pdf_available()


def test_period_without_data(settings_env: Path) -> None:
    at = run_page({"cchc.year": 2030})
    assert not at.exception, [e.value for e in at.exception]
    assert any("Chưa có dữ liệu cho kỳ này" in i.value for i in at.info)
    assert not at.metric
    assert "Tải báo cáo (Word)" in buttons(build(at))  # an empty report can still be made


# --------------------------------------------------------------- the clerk's own words (issue 8)
CHI_DAO = "1. Công tác chỉ đạo, điều hành"
KIEN_NGHI = "IV. KIẾN NGHỊ, ĐỀ XUẤT"
OWN_CHI_DAO = "Ngày 10/01/2024, UBND huyện ban hành Kế hoạch số 05/KH-UBND về tuyên truyền CCHC năm 2024."
OWN_KIEN_NGHI = (
    "Đề nghị Sở Nội vụ tổ chức tập huấn nghiệp vụ tuyên truyền cho công chức cấp xã.\nDòng thứ hai."
)
Q1 = {"cchc.year": 2024, "cchc.kind": "Q1"}


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suite_store):
    """A store whose version 1 is the sample (published today by the admin), three accounts."""
    from cchc_lib.access.accounts import Account
    from tests.test_app_upload import make_env

    env = make_env(tmp_path, monkeypatch, tmp_path / "no_sample.xlsx", store=suite_store)
    env.store.publish(
        SAMPLE.read_bytes(), account=Account("quantri", "admin"), kind="replace", file_name="goc.xlsx",
        base_version=None,
    )  # fmt: skip
    return env


def open_as(user: str | None, state: dict[str, object] | None = None) -> AppTest:
    """The report page opened by `user` (None: anonymous) in a new session (a new browser tab)."""
    at = AppTest.from_file(APP, default_timeout=30)
    if user:
        at.session_state["cchc.auth"] = {"name": user}
    for key, value in {**Q1, **(state or {})}.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def area(at: AppTest, heading: str):
    found = [t for t in at.text_area if t.label.startswith(heading)]
    assert len(found) == 1, [t.label for t in at.text_area]
    return found[0]


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_admin_edits_two_sections_saves_and_a_new_session_sees_them(office) -> None:
    at = open_as("quantri")
    labels = [t.label for t in at.text_area]
    assert labels[0] == CHI_DAO and any(label.startswith(KIEN_NGHI) for label in labels)
    assert area(at, KIEN_NGHI).label == f"{KIEN_NGHI} (cần bổ sung)"  # a placeholder is marked
    assert area(at, KIEN_NGHI).value.startswith("[Đề nghị bổ sung: ")
    assert any(f"Mục “{KIEN_NGHI}” còn phần để trống" in w.value for w in at.warning)
    generated_ket_qua = area(at, "2. Kết quả thực hiện kế hoạch").value
    area(at, CHI_DAO).input(OWN_CHI_DAO)
    area(at, KIEN_NGHI).input(OWN_KIEN_NGHI)
    at.button(key="report_save").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == [
        "Đã lưu nội dung báo cáo Quý I năm 2024: 2 mục sửa. Bản tải về và người mở trang sau sẽ thấy "
        "nội dung này."
    ]
    assert office.store.report_texts("2024-Q1", "calendar") == {
        "chi_dao": OWN_CHI_DAO,
        "kien_nghi": OWN_KIEN_NGHI,
    }
    [entry] = [e for e in office.store.audit() if e.get("kind") == "report_texts"]
    assert (entry["user"], entry["changed"], entry["reset"]) == ("quantri", ["chi_dao", "kien_nghi"], [])

    again = open_as("quantri")  # a new session: the edits come from the store
    assert area(again, CHI_DAO).value == OWN_CHI_DAO
    assert area(again, KIEN_NGHI).value == OWN_KIEN_NGHI
    assert area(again, KIEN_NGHI).label == KIEN_NGHI  # no longer a placeholder
    assert area(again, "2. Kết quả thực hiện kế hoạch").value == generated_ket_qua  # untouched
    assert not any(f"Mục “{KIEN_NGHI}” còn phần để trống" in w.value for w in again.warning)
    notes = [i.value for i in again.info if "đang dùng nội dung đã sửa" in i.value]
    assert len(notes) == 2  # saved against today's figures: no "figures changed" warning
    assert not [w for w in again.warning if w.value.startswith("Số liệu đã thay đổi")]
    assert [b.label for b in again.button if b.label == "Dùng lại nội dung tự động"] == [
        "Dùng lại nội dung tự động"
    ] * 2
    preview = markdown_text(again)
    assert md_escape(OWN_CHI_DAO) in preview and md_escape("Dòng thứ hai.") in preview
    assert preview.count("*(đã sửa)*") == 2

    # another period and the other calendar do not show these texts
    other = open_as("quantri", {"cchc.kind": "Q2"})
    assert area(other, CHI_DAO).value != OWN_CHI_DAO
    report_calendar = open_as("quantri", {"cchc.calendar": "report"})
    assert area(report_calendar, CHI_DAO).value != OWN_CHI_DAO


def test_going_back_to_the_generated_text(office) -> None:
    from cchc_lib.access.accounts import Account

    admin = Account("quantri", "admin")
    office.store.save_report_texts("2024-Q1", "calendar", {"chi_dao": OWN_CHI_DAO, "kien_nghi": "KN"}, admin)
    at = open_as("quantri")
    assert area(at, CHI_DAO).value == OWN_CHI_DAO
    reset = [b for b in at.button if b.label == "Dùng lại nội dung tự động"]
    reset[0].click().run()  # the first edited section: chi_dao
    assert not at.exception
    assert office.store.report_texts("2024-Q1", "calendar") == {"kien_nghi": "KN"}
    assert area(at, CHI_DAO).value != OWN_CHI_DAO and area(at, CHI_DAO).value
    assert [s.value for s in at.success] == [f"Mục «{CHI_DAO}» dùng lại nội dung tự động lập từ số liệu."]
    assert office.store.audit()[-1]["reset"] == ["chi_dao"]


@pytest.mark.parametrize("user", ["nguoixem", "camnhuong", None], ids=["viewer", "unit", "anonymous"])
def test_others_see_the_saved_edits_in_the_preview_but_no_editor(office, user: str | None) -> None:
    from cchc_lib.access.accounts import Account

    office.store.save_report_texts(
        "2024-Q1", "calendar", {"chi_dao": OWN_CHI_DAO}, Account("quantri", "admin")
    )
    at = open_as(user)
    assert len(at.text_area) == 0
    assert not [b for b in at.button if b.label in ("Lưu nội dung", "Dùng lại nội dung tự động")]
    assert "Chỉnh sửa nội dung báo cáo" not in [s.value for s in at.subheader]
    assert md_escape(OWN_CHI_DAO) in markdown_text(at)
    assert "Tải báo cáo (Word)" in buttons(build(at))
    # the document built in the worker from the version's snapshot holds the saved edit
    document = Document(io.BytesIO(at.session_state["cchc.report.built"].docx))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[paragraphs.index(CHI_DAO) + 1] == OWN_CHI_DAO


def test_issue_date_and_number_inputs(office) -> None:
    from datetime import date

    at = open_as("nguoixem")
    [issued] = at.date_input
    assert issued.label == "Ngày ban hành báo cáo" and issued.value == date.today()
    assert issued.proto.format == "DD/MM/YYYY"
    number = next(t for t in at.text_input if t.label == "Số báo cáo")
    number.input("45<b>").run()
    assert [e.value for e in at.error] == [
        "Số báo cáo '45<b>' không hợp lệ: chỉ gồm chữ số, chữ cái, dấu '.', '/', '-' (tối đa 20 ký tự), ví dụ 45."
    ]


def test_the_history_page_lists_the_saves_in_vietnamese(office) -> None:
    from cchc_lib.access.accounts import Account

    office.store.save_report_texts("2024-Q1", "report", {"chi_dao": OWN_CHI_DAO}, Account("quantri", "admin"))
    from cchc_lib.publishing.store import StoreError

    with pytest.raises(StoreError):  # a viewer's save is refused and audit-logged
        office.store.save_report_texts("2024-Q1", "report", {"chi_dao": "x"}, Account("nguoixem", "viewer"))
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["cchc.auth"] = {"name": "quantri"}
    at.switch_page("pages/6_lich_su.py").run()
    assert not at.exception
    audit = at.dataframe[-1].value
    rows = audit[audit["Thao tác"] == "Sửa nội dung báo cáo"]
    assert rows[["Người", "Kết quả", "Tệp"]].values.tolist() == [
        ["nguoixem", "Bị từ chối", "Nội dung báo cáo Quý I năm 2024 (lịch chốt số liệu báo cáo)"],
        ["quantri", "Đã lưu", "Nội dung báo cáo Quý I năm 2024 (lịch chốt số liệu báo cáo)"],
    ]


def test_a_note_when_the_figures_changed_after_the_save(office) -> None:
    from cchc_lib.access.accounts import Account

    admin = Account("quantri", "admin")
    at = open_as("quantri")
    current = area(at, "2. Kết quả thực hiện kế hoạch").value
    # ket_qua saved against other figures (an earlier version of the data), kenh against today's
    office.store.save_report_texts(
        "2024-Q1",
        "calendar",
        {"ket_qua": "Kết quả cũ: 10/20.", "kien_nghi": OWN_KIEN_NGHI},
        admin,
        basis={
            "ket_qua": current + " Số liệu cũ.",
            "kien_nghi": area(at, KIEN_NGHI).value,
        },
    )
    again = open_as("quantri")
    changed = [w.value for w in again.warning if w.value.startswith("Số liệu đã thay đổi")]
    assert changed == [
        "Số liệu đã thay đổi kể từ khi nội dung mục này được lưu: nội dung tự động lập từ số liệu hiện hành "
        "nay đã khác (xem bên dưới). Hãy cập nhật các con số trong nội dung đã sửa trước khi ký."
    ]
    assert len([i for i in again.info if "đang dùng nội dung đã sửa" in i.value]) == 1  # kien_nghi only
    assert any(c.value.startswith("Nội dung đã sửa được lưu lần cuối bởi quantri, ") for c in again.caption)


@pytest.mark.parametrize("year", [2024, 2025])
def test_the_unit_template_choice_lists_the_units_of_that_year(office, year: int) -> None:
    from datetime import datetime

    from tests.test_reports import raw_sheet

    def valid(r: dict) -> bool:
        start, end = r.get("Hiệu lực từ"), r.get("Hiệu lực đến")
        return (start is None or start <= datetime(year, 12, 31)) and (
            end is None or end >= datetime(year, 1, 1)
        )

    expected = [r["Tên đơn vị"] for r in raw_sheet("Đơn vị") if valid(r)]
    at = open_as("nguoixem", {"cchc.year": year, "cchc.kind": ""})
    [choice] = [s for s in at.selectbox if s.label == "Mẫu riêng cho đơn vị"]
    assert choice.options == expected
    assert ("UBND xã Cẩm Quan" in choice.options) is (year == 2024)


@pytest.mark.parametrize(("year", "offered"), [(2024, True), (2025, False)])
def test_a_merged_away_units_upload_page_offers_no_template_of_a_later_year(
    office, year: int, offered: bool
) -> None:
    from tests.test_app_upload import PASSWORD, UPLOAD

    office.accounts.add("camquan", "unit", PASSWORD, "XCQN")  # UBND xã Cẩm Quan, valid until 30/06/2024
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["cchc.auth"] = {"name": "camquan"}
    at.session_state["cchc.year"] = year
    at.switch_page(UPLOAD).run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert ("Tải mẫu của đơn vị" in labels) is offered
    note = f"Đơn vị XCQN không có hiệu lực trong năm {year} nên không có mẫu của năm này."
    assert (note in [c.value for c in at.caption]) is not offered


def test_a_save_after_someone_else_saved_keeps_both_edits(office) -> None:
    from cchc_lib.access.accounts import Account

    at = open_as("quantri")  # the clerk opens the page ...
    generated_kenh = area(at, "4. Kênh đăng tải").value
    # ... meanwhile another admin saves the channels section
    office.store.save_report_texts(
        "2024-Q1", "calendar", {"kenh": "Kênh do người khác viết."}, Account("b", "admin")
    )
    area(at, CHI_DAO).input(OWN_CHI_DAO)
    at.button(key="report_save").click().run()
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert error.startswith(
        "Nội dung báo cáo kỳ này vừa được b lưu sau khi bạn mở trang; nội dung của bạn chưa"
    )
    assert office.store.report_texts("2024-Q1", "calendar") == {"kenh": "Kênh do người khác viết."}
    assert area(at, "4. Kênh đăng tải").value == "Kênh do người khác viết." != generated_kenh  # theirs shown
    assert area(at, CHI_DAO).value == OWN_CHI_DAO  # the clerk's own edit kept
    at.button(key="report_save").click().run()
    assert office.store.report_texts("2024-Q1", "calendar") == {
        "chi_dao": OWN_CHI_DAO,
        "kenh": "Kênh do người khác viết.",
    }


def test_the_history_page_names_saved_column_mappings_in_vietnamese(office) -> None:
    from cchc_lib.access.accounts import Account

    mapping = {"Hoạt động": {"Ngày đăng": "date", "SL": "quantity"}}
    office.store.save_column_mapping("XCB", mapping, Account("quantri", "admin"))
    at = AppTest.from_file(APP, default_timeout=30)
    at.session_state["cchc.auth"] = {"name": "quantri"}
    at.switch_page("pages/6_lich_su.py").run()
    assert not at.exception
    audit = at.dataframe[-1].value
    assert "column_mapping" not in set(audit["Thao tác"])
    rows = audit[audit["Thao tác"] == "Lưu cách ghép cột"]
    assert rows[["Người", "Kết quả"]].values.tolist() == [["quantri", "Đã lưu"]]
