"""Vietnamese text shown by the screens: page names, menu, period picker, headings, notices."""

from __future__ import annotations

__all__ = [
    "APP_SUFFIX",
    "CALENDAR_LABELS",
    "DATA_SAMPLE",
    "DATA_UNREADABLE",
    "EMPTY_PERIOD",
    "ERROR_DATA",
    "ERROR_UNEXPECTED",
    "EXTRA_LABELS",
    "MENU",
    "NO_DATA_FILE",
    "NO_DATA_YET",
    "PERIOD_KINDS",
    "UPLOAD_PAGE",
]

APP_SUFFIX = "CCHC"

UPLOAD_PAGE = "pages/4_cap_nhat_du_lieu.py"  # where an admin publishes data (linked when there is none)

# The Vietnamese menu: (page file relative to the project root, label, icon). Pages added later
# (upload, history, report) append their own line here.
MENU: tuple[tuple[str, str, str], ...] = (
    ("app.py", "Tổng quan", ":material/dashboard:"),
    ("pages/1_don_vi.py", "Đơn vị", ":material/apartment:"),
    ("pages/2_hoat_dong.py", "Hoạt động", ":material/list_alt:"),
    ("pages/3_theo_doi_chi_dao.py", "Theo dõi chỉ đạo", ":material/fact_check:"),
    (UPLOAD_PAGE, "Cập nhật dữ liệu", ":material/upload_file:"),
    ("pages/5_bao_cao.py", "Báo cáo", ":material/description:"),
    ("pages/6_lich_su.py", "Lịch sử phiên bản", ":material/history:"),
    ("pages/7_tinh_hinh_bao_cao.py", "Tình hình báo cáo", ":material/assignment_turned_in:"),
)

# Period kinds offered by the picker, in display order: (Period.kind, label).
PERIOD_KINDS: tuple[tuple[str, str], ...] = (
    ("Q1", "Quý I"),
    ("Q2", "Quý II"),
    ("Q3", "Quý III"),
    ("Q4", "Quý IV"),
    ("H1", "6 tháng"),
    ("9M", "9 tháng"),
    ("", "Cả năm"),
)

CALENDAR_LABELS = {
    "calendar": "Theo quý dương lịch",
    "report": "Theo kỳ báo cáo (chốt ngày {cutoff})",
}

EMPTY_PERIOD = "Chưa có dữ liệu cho kỳ này"
DATA_SAMPLE = "Dữ liệu mẫu"
NO_DATA_FILE = (
    "Chưa có dữ liệu: chưa có phiên bản nào được công bố và không tìm thấy tệp dữ liệu mẫu. "
    "Quản trị viên công bố tệp theo dõi đầu tiên tại trang «Cập nhật dữ liệu» (đăng nhập bằng tài khoản "
    "quản trị); người xem hãy liên hệ quản trị viên."
)
NO_DATA_YET = "Chưa có dữ liệu: chưa có phiên bản nào được công bố."
DATA_UNREADABLE = "Không đọc được dữ liệu hiện hành."  # the short form of ERROR_DATA (sidebar)
ERROR_DATA = (
    "Không đọc được tệp dữ liệu hiện hành. Vui lòng báo quản trị viên kiểm tra lại phiên bản dữ liệu."
)
ERROR_UNEXPECTED = (
    "Đã xảy ra lỗi ngoài dự kiến khi hiển thị trang này. Lỗi đã được ghi lại; "
    "vui lòng tải lại trang hoặc chọn kỳ khác. Nếu vẫn lỗi, hãy báo quản trị viên."
)

# Headers for columns the screens add (cchc_lib.labels.COLUMN_LABELS covers the library's columns).
EXTRA_LABELS = {
    "days_since": "Số ngày từ lần rà soát",
    "overdue": "Quá hạn rà soát",
    "spent_pct": "Tỷ lệ đã chi (%)",
    "rank": "Thứ hạng",
    "type_name": "Loại hoạt động",
}
