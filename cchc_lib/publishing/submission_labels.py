"""Vietnamese text of a unit's submission: the two modes, the counts, removals, timeliness and history."""

from __future__ import annotations

__all__ = [
    "ADD",
    "ADD_NOTE",
    "CORRECT",
    "CORRECT_NEEDS_RANGE",
    "HISTORY_EMPTY",
    "HISTORY_HEADERS",
    "HISTORY_TITLE",
    "MODE_HELP",
    "MODE_LABELS",
    "MODE_QUESTION",
    "NO_ROWS_TO_ADD",
    "RANGE_HELP",
    "RANGE_LABEL",
    "REMOVAL_CONFIRM",
    "REMOVAL_HEADERS",
    "REMOVAL_TITLE",
    "REMOVALS_UNCONFIRMED",
    "completion_line",
    "counts_line",
    "submitted_line",
]

ADD, CORRECT = "add", "correct"  # the two modes of a unit's submission (submission_plan.MODES)
MODE_QUESTION = "Cách nộp"
MODE_LABELS = {
    ADD: "Thêm và cập nhật hoạt động",
    CORRECT: "Sửa lại số liệu trong một khoảng thời gian",
}
MODE_HELP = {
    ADD: (
        "Mỗi dòng trong tệp được đối chiếu với các dòng hiện có của đơn vị theo (ngày, loại hoạt động, tiêu "
        "đề) hoặc (ngày, loại hoạt động, đường dẫn): dòng trùng được cập nhật (số lượng, kênh…), dòng mới được "
        "thêm. Không dòng nào hiện có bị xóa."
    ),
    CORRECT: (
        "Các dòng hiện có của đơn vị trong khoảng thời gian đã chọn được thay bằng các dòng trong tệp: dòng "
        "hiện có không còn trong tệp sẽ bị XÓA. Khoảng thời gian mặc định là từ ngày đầu đến ngày cuối có "
        "trong tệp. Chỉ dùng khi cần sửa hoặc xóa số liệu đã nộp."
    ),
}
ADD_NOTE = (
    "Các dòng trong tệp được thêm hoặc cập nhật; không dòng nào hiện có của đơn vị bị xóa. Mọi số liệu khác "
    "giữ nguyên; chỉ trang tính Hoạt động của tệp nộp được dùng."
)
NO_ROWS_TO_ADD = (
    "Tệp không có dòng hoạt động nào của đơn vị để nộp. Nếu cần báo đơn vị không có hoạt động hoặc xóa dòng "
    "đã nộp, hãy chọn «Sửa lại số liệu trong một khoảng thời gian» và chọn khoảng thời gian."
)
RANGE_LABEL = "Khoảng thời gian cần sửa (từ ngày – đến ngày)"
RANGE_HELP = "Mặc định: từ ngày đầu đến ngày cuối có trong tệp nộp."
CORRECT_NEEDS_RANGE = (
    "Tệp không có dòng hoạt động nào: hãy chọn cả ngày bắt đầu và ngày kết thúc của khoảng thời gian cần sửa "
    "(các dòng hiện có của đơn vị trong khoảng đó sẽ bị xóa)."
)
REMOVAL_TITLE = "Các dòng sẽ bị xóa"
REMOVAL_HEADERS = {"date": "Ngày", "type_name": "Loại hoạt động", "title": "Tiêu đề"}
REMOVAL_CONFIRM = "Tôi xác nhận xóa {n} dòng này"
REMOVALS_UNCONFIRMED = (
    "Việc nộp này xóa {n} dòng hiện có của đơn vị. Hãy xem danh sách các dòng sẽ bị xóa, đánh dấu «Tôi xác "
    "nhận xóa {n} dòng này» rồi bấm cập nhật lại."
)
HISTORY_TITLE = "Các lần nộp số liệu của đơn vị"
HISTORY_EMPTY = "Đơn vị chưa nộp số liệu lần nào."
HISTORY_HEADERS = {
    "version": "Phiên bản",
    "created_at": "Thời gian",
    "user": "Người nộp",
    "file_name": "Tệp",
}


def counts_line(added: str, updated: str, removed: str) -> str:
    """The counts "3 dòng thêm · 1 dòng cập nhật · 0 dòng xóa" from counts already formatted."""
    return f"{added} dòng thêm · {updated} dòng cập nhật · {removed} dòng xóa"


def completion_line(period_label: str, before: str, after: str) -> str:
    """The effect on completion: "Tỷ lệ hoàn thành năm 2024: 110 % → 25 %"."""
    return f"Tỷ lệ hoàn thành {period_label}: {before} → {after}"


def submitted_line(period_label: str, days_late: int) -> str:
    """After publishing: "Đã nộp số liệu quý IV/2024 — đúng hạn" or "… — trễ 3 ngày"."""
    when = "đúng hạn" if days_late <= 0 else f"trễ {days_late} ngày"
    return f"Đã nộp số liệu {period_label} — {when}"
