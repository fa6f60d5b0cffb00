"""AppTest of the update screens: auth gate on direct links, upload -> problems -> preview -> publish,
history and rollback, reporting status. Temp store and users file, never data/."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from cchc_lib.access.accounts import Account
from cchc_lib.common.settings import Settings
from cchc_lib.publishing.store_factory import open_accounts
from cchc_lib.reading import sandbox
from cchc_lib.sample.builder import build_xlsx
from cchc_lib.sample.sample_data import sample_spec
from cchc_lib.web.auth import allowed
from cchc_lib.web.sign_in import SIGN_IN_HOW
from tests.store_backends import Backend

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "cam_xuyen_2024.xlsx"
APP = str(ROOT / "app.py")
UPLOAD = "pages/4_cap_nhat_du_lieu.py"
HISTORY = "pages/6_lich_su.py"
REPORTING = "pages/7_tinh_hinh_bao_cao.py"
REFUSED = "Bạn không có quyền xem trang này."
PASSWORD = "mat-khau-dai-123"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MARK, MARKED = "cchc.upload.mark", "cchc.upload.marked"  # the button and the copy kept in the session

pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason="the bundled sample workbook is missing")


def extra_rows(unit: str = "XCN", n: int = 3, day: date = date(2024, 11, 20)) -> list[dict]:
    return [
        {
            "Ngày": day,
            "Mã đơn vị": unit,
            "Loại hoạt động": "TIN_BAI",
            "Số lượng": 5,
            "Tiêu đề": f"Tin bổ sung số {i + 1}",
            "Kênh đăng tải": "Trang TTĐT xã",
        }
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def books() -> SimpleNamespace:
    spec = sample_spec()
    bad_rows = [
        {
            "Ngày": "31/02/2024",
            "Mã đơn vị": "XCN",
            "Loại hoạt động": "TIN_BAI",
            "Số lượng": 1,
            "Tiêu đề": "a",
        },
        {"Ngày": date(2024, 3, 1), "Mã đơn vị": "KHONGCO", "Loại hoạt động": "TIN_BAI", "Tiêu đề": "b"},
    ]
    return SimpleNamespace(
        base=build_xlsx(spec),
        good=build_xlsx(replace(spec, activities=spec.activities + extra_rows())),
        bad=build_xlsx(replace(spec, activities=spec.activities + bad_rows)),
        unit_own=build_xlsx(replace(spec, activities=extra_rows("XCN", 2))),
        unit_other=build_xlsx(replace(spec, activities=extra_rows("XCN", 1) + extra_rows("XCS", 1))),
    )


def make_env(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sample: Path,
    unit: str = "XCN",
    store: Backend | None = None,
) -> SimpleNamespace:
    """Settings with a temp store (`store`, e.g. the `suite_store` fixture; default: a folder store; `sample`
    as fallback: a missing file means none) and a temp users file with three accounts: quantri (admin),
    camnhuong (unit `unit`), nguoixem (viewer)."""
    store = store or Backend("folder", Settings(store_dir=str(tmp_path / "store")))
    settings = tmp_path / "settings.toml"
    settings.write_text(f'sample_file = "{sample.as_posix()}"\n{store.toml()}')
    users = tmp_path / "users.toml"
    monkeypatch.setenv("CCHC_SETTINGS", str(settings))
    monkeypatch.setenv("CCHC_USERS", str(users))
    accounts = open_accounts(store.settings)  # the users file, or the store's database on PostgreSQL
    accounts.add("quantri", "admin", PASSWORD)
    accounts.add("camnhuong", "unit", PASSWORD, unit)
    accounts.add("nguoixem", "viewer", PASSWORD)
    return SimpleNamespace(store=store.open(), settings=settings, users=users, accounts=accounts)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suite_store: Backend) -> SimpleNamespace:
    """The bundled sample as fallback, an empty store on the suite's backend, three accounts (see make_env)."""
    return make_env(tmp_path, monkeypatch, SAMPLE, store=suite_store)


def page(path: str, user: str | None = None, *, via_app: bool = False) -> AppTest:
    """Open `path` as a direct link does: its file runs first, without app.py (a first request after a
    server restart), or, with `via_app`, after app.py ran in the session (switch_page)."""
    at = AppTest.from_file(APP, default_timeout=60)
    if user:
        at.session_state["cchc.auth"] = {"name": user}
    if via_app:
        at.run()
    at.switch_page(path).run()
    return at


def texts(at: AppTest, kind: str) -> list[str]:
    return [str(e.value) for e in getattr(at, kind)]


def assert_refused(at: AppTest, title: str = "Cập nhật dữ liệu") -> None:
    """A signed-in viewer: the page's title, then the refusal naming who the page is for; no upload."""
    assert not at.exception
    assert texts(at, "title") == [title]  # above the warning: never clipped under the phone's header
    [warning] = [t for t in texts(at, "warning") if REFUSED in t]
    assert "dành cho đầu mối đơn vị và quản trị viên" in warning
    assert len(at.get("file_uploader")) == 0


def assert_asked_to_sign_in(at: AppTest, title: str = "Cập nhật dữ liệu") -> None:
    """An anonymous visitor: the page's title, a calm explanation (no refusal) and the login form."""
    assert not at.exception
    assert texts(at, "title") == [title]
    assert not any(REFUSED in t for t in texts(at, "warning"))
    [explained] = [t for t in texts(at, "info") if SIGN_IN_HOW in t]
    assert "đăng nhập" in explained.lower()
    assert at.text_input(key="login_name_main") is not None  # the form right under the explanation
    assert len(at.get("file_uploader")) == 0


# ------------------------------------------------------------------------------------- the gate
@pytest.mark.parametrize(
    ("role", "need", "require_login", "expected"),
    [
        (None, None, False, True),
        (None, None, True, False),
        (None, "unit", False, False),
        ("viewer", None, True, True),
        ("viewer", "unit", False, False),
        ("unit", "unit", False, True),
        ("unit", "admin", False, False),
        ("admin", "unit", True, True),
        ("admin", "admin", False, True),
        ("admin", "superuser", False, False),  # an unknown requirement admits nobody
    ],
)
def test_allowed(role: str | None, need: str | None, require_login: bool, expected: bool) -> None:
    account = Account("x", role, "XCN" if role == "unit" else None) if role else None
    assert allowed(account, need, require_login) is expected


@pytest.mark.parametrize("via_app", [False, True], ids=["direct", "switch_page"])
def test_anonymous_cannot_reach_upload(env: SimpleNamespace, via_app: bool) -> None:
    at = page(UPLOAD, via_app=via_app)
    assert_asked_to_sign_in(at)
    [explained] = [t for t in texts(at, "info") if SIGN_IN_HOW in t]
    assert "đầu mối đơn vị nộp số liệu hoạt động" in explained  # what the page is for
    assert "dành cho đầu mối đơn vị và quản trị viên" in explained  # and whom


def test_anonymous_on_history_is_told_what_it_is(env: SimpleNamespace) -> None:
    at = page(HISTORY)
    assert_asked_to_sign_in(at, "Lịch sử phiên bản")
    assert any("các lần cập nhật dữ liệu" in t for t in texts(at, "info"))
    assert len(at.dataframe) == 0


@pytest.mark.parametrize("path", [UPLOAD, HISTORY])
@pytest.mark.parametrize("via_app", [False, True], ids=["direct", "switch_page"])
def test_viewer_cannot_reach_protected_pages(env: SimpleNamespace, path: str, via_app: bool) -> None:
    at = page(path, "nguoixem", via_app=via_app)
    assert_refused(at, "Cập nhật dữ liệu" if path == UPLOAD else "Lịch sử phiên bản")
    assert len(at.dataframe) == 0
    labels = [link.proto.label for link in at.sidebar.get("page_link")]
    assert "Cập nhật dữ liệu" not in labels and "Lịch sử phiên bản" not in labels
    assert "Tình hình báo cáo" in labels


def test_login_form_wrong_then_right_password(env: SimpleNamespace) -> None:
    at = page(UPLOAD)
    at.text_input(key="login_name_main").input("quantri")
    at.text_input(key="login_password_main").input("sai-mat-khau")
    _submit(at)
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in texts(at, "error")
    assert_asked_to_sign_in(at)
    at.text_input(key="login_name_main").input("quantri")
    at.text_input(key="login_password_main").input(PASSWORD)
    _submit(at)
    assert not at.exception
    assert at.session_state["cchc.auth"]["name"] == "quantri"  # and its session record's digest
    assert len(at.get("file_uploader")) == 1
    # an empty store (the sample is only a fallback): the first version can only be a whole workbook
    assert any("**Thay toàn bộ tệp dữ liệu**" in t for t in texts(at, "markdown"))


def _submit(at: AppTest) -> None:
    [button] = [b for b in at.button if b.label == "Đăng nhập" and "login_main" in str(b.proto.form_id)]
    button.click().run()


def test_repeated_failures_slow_down_the_form(env: SimpleNamespace) -> None:
    """Throttling, not a lock (details: tests/test_app_login_cookie.py, tests/test_sessions.py)."""
    at = page(UPLOAD)
    for _ in range(5):
        at.text_input(key="login_name_main").input("quantri")
        at.text_input(key="login_password_main").input("sai-mat-khau")
        _submit(at)
    assert any("thử lại sau" in t for t in texts(at, "error"))
    assert "cchc.auth" not in at.session_state


def test_removed_account_is_logged_out(env: SimpleNamespace) -> None:
    at = page(UPLOAD, "quantri")
    assert len(at.get("file_uploader")) == 1
    env.accounts.remove("quantri")
    at.run()
    assert_asked_to_sign_in(at)


def test_require_login_setting_hides_the_overview(env: SimpleNamespace) -> None:
    env.settings.write_text(env.settings.read_text() + "require_login = true\n")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert_asked_to_sign_in(at, "Tổng quan")
    assert any("chỉ dành cho người có tài khoản" in t for t in texts(at, "info"))
    assert len(at.metric) == 0
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["cchc.auth"] = {"name": "nguoixem"}
    at.run()
    assert not at.exception and len(at.metric) > 0


def test_oidc_button_offered_and_email_mapped(env: SimpleNamespace) -> None:
    env.accounts.set_oidc("chanh.vp@camxuyen.gov.vn", "admin")
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(UPLOAD)
    at.secrets["auth"] = {
        "client_id": "x",
        "client_secret": "y",
        "server_metadata_url": "https://idp/.well-known",
    }
    at.user = {"is_logged_in": False}
    at.run()
    assert any(b.label.startswith("Đăng nhập bằng tài khoản tổ chức") for b in at.button)
    assert_asked_to_sign_in(at)
    at.user = {"is_logged_in": True, "email": "Chanh.VP@camxuyen.gov.vn"}
    at.run()
    assert not at.exception
    assert len(at.get("file_uploader")) == 1
    at.user = {"is_logged_in": True, "email": "la@example.com"}
    at.run()
    assert_asked_to_sign_in(at)


# ------------------------------------------------------------------------------------- upload
def publish_base(env: SimpleNamespace, books: SimpleNamespace) -> None:
    """Version 1 of the store: the base workbook, published by the admin."""
    env.store.publish(
        books.base,
        account=Account("quantri", "admin"),
        kind="replace",
        file_name="goc.xlsx",
        base_version=None,
    )


def upload(at: AppTest, data: bytes, name: str) -> AppTest:
    at.get("file_uploader")[0].upload(name, data, XLSX).run()
    assert not at.exception
    return at


def test_admin_upload_with_errors_shows_problems_and_publishes_nothing(env, books) -> None:
    at = upload(page(UPLOAD, "quantri"), books.bad, "co_loi.xlsx")
    assert any("2 lỗi" in t for t in texts(at, "error"))
    problems = at.dataframe[0].value
    assert list(problems.columns) == ["Mức độ", "Trang tính", "Dòng", "Cột", "Nội dung"]
    messages = " | ".join(problems["Nội dung"])
    assert "31/02/2024" in messages and "KHONGCO" in messages
    assert set(problems["Trang tính"]) == {"Hoạt động"}
    # before any version: the template to fill in; the marked copy only once asked for
    assert [b.label for b in at.get("download_button")] == ["Tải tệp mẫu để điền"]
    assert not [b for b in at.button if b.label == "Xác nhận cập nhật"]
    assert env.store.current() is None
    at.button(key=MARK).click().run()
    assert [b.label for b in at.get("download_button")] == ["Tải tệp mẫu để điền", "Tải tệp đã đánh dấu lỗi"]
    marked = load_workbook(io.BytesIO(at.session_state[MARKED]["data"]))
    listing = [row[4] for row in marked["Danh sách lỗi"].iter_rows(min_row=2, values_only=True)]
    assert listing == list(problems["Nội dung"])
    built = at.session_state[MARKED]
    at.run()  # a rerun keeps the copy built for this upload: not built again
    assert at.session_state[MARKED] is built
    assert [b.label for b in at.get("download_button")][-1] == "Tải tệp đã đánh dấu lỗi"


def test_a_marked_copy_over_the_worker_limits_says_so_and_keeps_the_problems(
    env, books, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sandbox, "MARKER", "tests.hostile:marker_hog")  # builds without bound
    env.settings.write_text(env.settings.read_text() + "parse_memory_mb = 700\n")
    at = upload(page(UPLOAD, "quantri"), books.bad, "co_loi.xlsx")
    at.button(key=MARK).click().run()
    assert not at.exception
    assert any("Không tạo được tệp đánh dấu lỗi" in t and "giới hạn" in t for t in texts(at, "warning"))
    assert [b.label for b in at.get("download_button")] == ["Tải tệp mẫu để điền"]
    assert len(at.dataframe[0].value) == 2  # the problem table is still there


def test_the_current_version_is_named_once(env, books) -> None:
    """The freshness line under the title names the version; the page does not repeat it."""
    publish_base(env, books)
    at = page(UPLOAD, "quantri")
    assert not at.exception
    lines = [str(c.value) for c in at.main.caption]
    naming = [t for t in lines if "phiên bản 1" in t or "phiên bản số 1" in t]
    assert len(naming) == 1 and naming[0].startswith("Số liệu cập nhật")
    assert not any("Dữ liệu hiện hành" in t for t in lines)


def test_admin_upload_good_preview_then_confirm_publishes(env, books) -> None:
    publish_base(env, books)
    at = upload(page(UPLOAD, "quantri"), books.good, "bo_sung.xlsx")
    assert env.store.current_number() == 1  # nothing changes before the click
    changes = at.dataframe[0].value
    assert list(changes.columns) == ["Đơn vị", "Loại hoạt động", "Dòng thêm / bỏ", "Thực hiện trước → sau"]
    [row] = changes.to_dict("records")
    assert row["Đơn vị"] == "UBND xã Cẩm Nhượng" and row["Dòng thêm / bỏ"] == "+3 / −0"
    before, after = (int(x) for x in row["Thực hiện trước → sau"].split(" → "))
    assert after - before == 15
    assert any(
        "**3** dòng hoạt động thêm · **0** dòng bỏ · **1** đơn vị thay đổi" in t
        for t in texts(at, "markdown")
    )
    [confirm] = [b for b in at.button if b.label == "Xác nhận cập nhật"]
    confirm.click().run()
    assert not at.exception
    current = env.store.current()
    assert current.number == 2 and current.kind == "replace" and current.user == "quantri"
    assert current.file_name == "bo_sung.xlsx"
    assert any("phiên bản số 2" in t for t in texts(at, "success"))
    assert len(at.dataframe) == 0  # the uploader starts empty again


def test_first_publish_into_an_empty_store(env, books) -> None:
    at = upload(page(UPLOAD, "quantri"), books.good, "dau_tien.xlsx")
    [confirm] = [b for b in at.button if b.label == "Xác nhận cập nhật"]
    confirm.click().run()
    assert env.store.current_number() == 1


def test_identical_upload_is_recognised(env, books) -> None:
    publish_base(env, books)
    at = upload(page(UPLOAD, "quantri"), books.base, "lai.xlsx")
    assert any("giống hệt" in t for t in texts(at, "info"))
    assert not [b for b in at.button if b.label == "Xác nhận cập nhật"]


def test_stale_preview_refused_on_confirm(env, books) -> None:
    admin = Account("quantri", "admin")
    env.store.publish(books.base, account=admin, kind="replace", file_name="goc.xlsx", base_version=None)
    at = upload(page(UPLOAD, "quantri"), books.good, "bo_sung.xlsx")
    env.store.publish(books.unit_own, account=admin, kind="replace", file_name="khac.xlsx", base_version=1)
    [confirm] = [b for b in at.button if b.label == "Xác nhận cập nhật"]
    confirm.click().run()
    assert any("Bản xem trước đã cũ" in t for t in texts(at, "error"))
    assert env.store.current_number() == 2


def test_unit_uploader_submits_only_its_own_unit(env, books) -> None:
    publish_base(env, books)
    at = page(UPLOAD, "camnhuong")
    assert [r.key for r in at.main.get("radio")] == ["cchc.upload.mode"]  # no choice of kind, only the mode
    assert len(at.main.selectbox) == 0  # nor of unit
    assert any("UBND xã Cẩm Nhượng" in t for t in texts(at, "markdown"))
    at = upload(at, books.unit_other, "nop.xlsx")
    problems = at.dataframe[0].value
    assert any("thuộc đơn vị XCS" in m for m in problems["Nội dung"])
    assert env.store.current_number() == 1
    at = upload(at, books.unit_own, "nop.xlsx")
    [confirm] = [b for b in at.button if b.label == "Xác nhận cập nhật"]
    confirm.click().run()
    current = env.store.current()
    assert current.number == 2 and current.kind == "unit" and current.unit_code == "XCN"


def test_unreadable_file_message(env) -> None:
    at = upload(page(UPLOAD, "quantri"), b"day khong phai excel", "sai.xlsx")
    assert texts(at, "error")  # the safety check's Vietnamese message
    # never mark a file that was not read safely (only the first-version template is offered)
    assert [b.label for b in at.get("download_button")] == ["Tải tệp mẫu để điền"]
    assert env.store.current() is None


# ------------------------------------------------------------------------------------- history
def test_history_and_rollback_with_confirmation(env, books) -> None:
    admin = Account("quantri", "admin")
    env.store.publish(books.base, account=admin, kind="replace", file_name="goc.xlsx", base_version=None)
    env.store.publish(books.good, account=admin, kind="replace", file_name="bo_sung.xlsx", base_version=1)
    at = page(HISTORY, "quantri")
    assert not at.exception
    versions = at.dataframe[0].value
    assert list(versions["Số"]) == [2, 1]
    assert list(versions["Tệp"]) == ["bo_sung.xlsx", "goc.xlsx"]
    assert list(versions["Hiện hành"]) == ["✔", ""]
    assert versions["Thời gian"].str.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}").all()
    at.selectbox(key="cchc.rollback.choice").select(1).run()
    at.button(key="cchc.rollback.ask").click().run()
    assert env.store.current_number() == 2  # asking is not doing
    assert any("Khôi phục phiên bản 1" in t for t in texts(at, "warning"))
    at.button(key="cchc.rollback.yes").click().run()
    assert not at.exception
    current = env.store.current()
    assert current.number == 3 and current.kind == "rollback" and current.rollback_of == 1
    assert any("dữ liệu hiện hành là phiên bản số 3" in t for t in texts(at, "success"))
    audit = at.dataframe[1].value
    assert audit["Thao tác"].iloc[0] == "Khôi phục phiên bản 1"


def test_history_unit_account_sees_versions_but_cannot_roll_back(env, books) -> None:
    publish_base(env, books)
    at = page(HISTORY, "camnhuong")
    assert not at.exception
    assert len(at.dataframe) == 1
    assert not [b for b in at.button if "Khôi phục" in b.label]


# ------------------------------------------------------------------------------------- reporting
def test_reporting_page_without_versions(env) -> None:
    at = page(REPORTING)
    assert not at.exception
    assert any("chưa có phiên bản dữ liệu nào" in t for t in texts(at, "info"))


def test_reporting_page_counts_units(env, books) -> None:
    publish_base(env, books)
    # Independently: units of the sample with activity rows in calendar 2024 (the sidebar's default calendar).
    acts = pd.read_excel(SAMPLE, sheet_name="Hoạt động", engine="openpyxl")
    units = pd.read_excel(SAMPLE, sheet_name="Đơn vị", engine="openpyxl")
    day = pd.to_datetime(acts["Ngày"])
    active = set(acts.loc[(day >= "2024-01-01") & (day <= "2024-12-31"), "Mã đơn vị"])
    idle = sorted(set(units["Mã đơn vị"]) - active)
    assert len(units) == 47 and len(idle) == 3
    at = page(REPORTING)  # default period: the whole year 2024
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    # Every unit exists at some time in 2024. The rows came in the store's first version, published
    # today, long after the 2024 deadline: "baseline" for the active units, "missing" for the idle ones.
    assert metrics["Đã nộp"] == f"{47 - len(idle)} / 47"
    assert metrics["Trễ hạn"] == "0" and metrics["Chưa nộp"] == str(len(idle))
    table = at.dataframe[0].value
    assert list(table["Tình trạng"]).count("✓ đã nộp") == 47 - len(idle)  # submitted, date unknown
    names = dict(zip(units["Mã đơn vị"], units["Tên đơn vị"], strict=True))
    missing = table[table["Tình trạng"] == "✕ chưa nộp"]
    assert sorted(missing["Tên đơn vị"]) == sorted(names[c] for c in idle)
    assert list(table["Tình trạng"].iloc[:3]) == ["✕ chưa nộp"] * 3  # the missing ones come first


OVERVIEW_SCRIPT = """
from cchc_lib.web import page_frame
from cchc_lib.web.reporting_view import render_reporting_status

render_reporting_status(page_frame("Tổng quan"))
"""


def overview_block(tmp_path: Path) -> AppTest:
    """The compact block as app.py would call it, from an entry script next to a link to pages/."""
    folder = tmp_path / "entry"
    folder.mkdir()
    (folder / "app.py").write_text(OVERVIEW_SCRIPT, encoding="utf-8")
    (folder / "pages").symlink_to(ROOT / "pages")
    return AppTest.from_file(str(folder / "app.py"), default_timeout=60).run()


def test_overview_block_without_versions(env, tmp_path: Path) -> None:
    at = overview_block(tmp_path)
    assert not at.exception
    assert "Tình hình nộp báo cáo — Năm 2024" in texts(at, "subheader")
    assert any("chưa có phiên bản dữ liệu nào" in t for t in texts(at, "caption"))


def test_overview_block_counts(env, books, tmp_path: Path) -> None:
    publish_base(env, books)
    at = overview_block(tmp_path)
    assert not at.exception
    # 44 of the sample's 47 units have 2024 rows (see test_reporting_page_counts_units)
    assert "Đã nộp **44/47** đơn vị · đúng hạn **0** · trễ hạn **0** · chưa nộp **3**" in texts(
        at, "markdown"
    )
    assert "Kỳ: Năm 2024 (theo dương lịch: 01/01/2024 – 31/12/2024) · hạn nộp 05/01/2025" in texts(
        at, "caption"
    )
    assert [link.proto.label for link in at.main.get("page_link")] == ["Xem chi tiết tình hình báo cáo"]


def test_sidebar_login_then_logout(env: SimpleNamespace) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(REPORTING).run()
    at.sidebar.text_input(key="login_name_sidebar").input("quantri")
    at.sidebar.text_input(key="login_password_sidebar").input(PASSWORD)
    [button] = [b for b in at.sidebar.button if b.label == "Đăng nhập"]
    button.click().run()
    assert at.session_state["cchc.auth"]["name"] == "quantri"
    assert any("quantri" in t for t in texts(at.sidebar, "caption"))
    at.switch_page(UPLOAD).run()
    assert len(at.get("file_uploader")) == 1
    at.sidebar.button(key="logout").click().run()
    assert "cchc.auth" not in at.session_state
    assert_asked_to_sign_in(at)
