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
    "SAMPLE_BANNER",
    "STORE_DAMAGED",
    "STORE_DAMAGED_SHORT",
    "STORE_DAMAGED_TODO",
    "STORE_REPUBLISH_TODO",
    "UPLOAD_PAGE",
    "UPLOAD_STORE_DAMAGED",
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
    ("pages/8_ban_in.py", "Bản in một trang", ":material/print:"),
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
    "Chưa có dữ liệu: chưa có phiên bản nào được công bố. Quản trị viên công bố tệp theo dõi đầu tiên tại "
    "trang «Cập nhật dữ liệu» (đăng nhập bằng tài khoản quản trị); người xem hãy liên hệ quản trị viên."
)
# Shown on every page while the dashboard shows the bundled sample (nothing published yet).
SAMPLE_BANNER = (
    "Đang hiển thị DỮ LIỆU MẪU (huyện Cẩm Xuyên minh họa), không phải số liệu của đơn vị. "
    "Quản trị viên tải tệp số liệu lên tại trang Cập nhật dữ liệu."
)
# A damaged store: the data pages show this, what was found, and what to do; never any figure.
STORE_DAMAGED = (
    "**Kho dữ liệu đã công bố bị hỏng: bảng theo dõi không hiển thị số liệu nào** để tránh hiển thị số liệu "
    "sai. Đã phát hiện:"
)
STORE_DAMAGED_SHORT = "Kho dữ liệu bị hỏng: không hiển thị số liệu."  # the sidebar line
STORE_DAMAGED_TODO = (
    "Quản trị viên hãy chạy trên máy chủ: `python -m cchc_lib store verify` để kiểm tra toàn bộ kho, rồi "
    "`python -m cchc_lib store repair` để khôi phục phiên bản tốt gần nhất (các tệp hỏng được chuyển vào "
    "thư mục damaged/ của kho, không tệp nào bị xóa). Khi chỉ tệp của phiên bản hiện hành bị hỏng, quản trị "
    "viên cũng có thể khôi phục một phiên bản cũ tại trang «Lịch sử phiên bản». Người xem hãy báo quản trị viên."
)
UPLOAD_STORE_DAMAGED = (
    "Trang này không nhận tệp mới khi kho dữ liệu đang hỏng: số liệu không thể ghép vào dữ liệu hỏng. "
    "Quản trị viên hãy sửa kho trước (lệnh `python -m cchc_lib store repair` trên máy chủ, hoặc khôi phục một "
    "phiên bản cũ tại trang «Lịch sử phiên bản») rồi tải tệp lên lại."
)
STORE_REPUBLISH_TODO = (
    "Quản trị viên hãy công bố lại tệp số liệu tại trang «Cập nhật dữ liệu» (các phiên bản hỏng vẫn được giữ "
    "trong thư mục damaged/ của kho). Người xem hãy báo quản trị viên."
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

# Headers for columns the screens add (cchc_lib.common.labels.COLUMN_LABELS covers the library's columns).
EXTRA_LABELS = {
    "days_since": "Số ngày từ lần rà soát",
    "overdue": "Quá hạn rà soát",
    "spent_pct": "Tỷ lệ đã chi (%)",
    "rank": "Thứ hạng",
    "type_name": "Loại hoạt động",
}
