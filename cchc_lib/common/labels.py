"""Vietnamese names for column codes, quarters and completion statuses, and the status colours."""

from __future__ import annotations

import pandas as pd

__all__ = [
    "COLUMN_LABELS",
    "QUARTER_LABELS",
    "STATUS_COLORS",
    "STATUS_ICONS",
    "STATUS_LABELS",
    "STATUS_ORDER",
    "vn_columns",
]

# snake_case column (model.py tables, metrics outputs, store versions) -> Vietnamese header.
COLUMN_LABELS: dict[str, str] = {
    # units
    "unit_code": "Mã đơn vị",
    "unit_name": "Tên đơn vị",
    "unit_type": "Loại đơn vị",
    "portal_url": "Trang TTĐT",
    "contact": "Đầu mối",
    "phone": "Điện thoại",
    "email": "Email",
    "valid_from": "Hiệu lực từ",
    "valid_to": "Hiệu lực đến",
    "successor_code": "Sáp nhập vào",
    # channel groups
    "group_code": "Mã nhóm",
    "group_name": "Tên nhóm kênh",
    "keywords": "Từ khóa",
    # directives
    "issued_date": "Ngày ban hành",
    "issuer": "Cơ quan ban hành",
    "doc_type": "Loại văn bản",
    "summary": "Trích yếu",
    # activity types
    "type_code": "Mã loại",
    "type_name": "Tên loại hoạt động",
    "measure": "Đơn vị tính",
    # targets
    "year": "Năm",
    "quarter": "Quý",
    "target": "Chỉ tiêu",
    # activities
    "date": "Ngày",
    "quantity": "Số lượng",
    "title": "Tiêu đề",
    "channel": "Kênh đăng tải",
    "reform_area": "Lĩnh vực CCHC",
    "link": "Đường dẫn",
    "note": "Ghi chú",
    "row": "Dòng",
    # portal reviews
    "review_date": "Ngày rà soát",
    "reviewer": "Người rà soát",
    "has_cchc_section": "Có chuyên mục CCHC",
    "updated_this_quarter": "Cập nhật tin CCHC trong quý",
    "broken_links": "Liên kết hỏng",
    "score": "Điểm",
    "findings": "Nhận xét",
    # funding
    "allocated": "Dự toán",
    "spent": "Đã chi",
    # initiatives
    "name": "Tên sáng kiến, mô hình",
    "status": "Tình trạng",
    "result": "Kết quả",
    # problems found while reading
    "level": "Mức độ",
    "code": "Mã lỗi",
    "sheet": "Trang tính",
    "column": "Cột",
    "message": "Nội dung",
    # metrics outputs
    "activity_type": "Mã loại",
    "activity_name": "Loại hoạt động",
    "planned": "Kế hoạch",
    "actual": "Thực hiện",
    "completion_pct": "Tỷ lệ hoàn thành (%)",
    "status_label": "Xếp loại",
    "label": "Kỳ",
    "cumulative_planned": "Kế hoạch lũy kế",
    "cumulative_actual": "Thực hiện lũy kế",
    "actual_prev": "Thực hiện cùng kỳ năm trước",
    "change": "Tăng/giảm",
    "change_pct": "Tăng/giảm (%)",
    "value": "Phân loại",
    "share_pct": "Tỷ trọng (%)",
    "units": "Số đơn vị",
    "no_activity": "Chưa có hoạt động",
    # store versions (history screen)
    "number": "Phiên bản",
    "sha256": "Mã kiểm tra (SHA-256)",
    "created_at": "Thời điểm",
    "user": "Người thực hiện",
    "kind": "Hình thức",
    "file_name": "Tên tệp",
    "rows": "Số dòng",
    "previous": "Phiên bản trước",
}

QUARTER_LABELS: dict[int, str] = {1: "Quý I", 2: "Quý II", 3: "Quý III", 4: "Quý IV"}

# Completion classes, best first; the same codes and labels as cchc_lib.figures.metrics.
STATUS_ORDER: tuple[str, ...] = ("complete", "near", "behind", "no_activity", "no_plan")
STATUS_LABELS: dict[str, str] = {
    "complete": "Hoàn thành",
    "near": "Gần hoàn thành",
    "behind": "Chưa hoàn thành",
    "no_activity": "Chưa có hoạt động",
    "no_plan": "Không có chỉ tiêu",
}
# Status colours: each at least 4.5:1 against white (white text on them, or them as text on white) and
# told apart by lightness as well as hue, so "chưa hoàn thành" (red) and "chưa có hoạt động" (dark
# indigo) differ for colour-blind readers too (1.9:1 between them); every use adds the icon below.
STATUS_COLORS: dict[str, str] = {
    "complete": "#1E7B45",
    "near": "#A86400",
    "behind": "#C62F3B",
    "no_activity": "#3E3A6E",
    "no_plan": "#6B7785",
}
# Shown with the colour wherever a status is drawn (charts, badges): the meaning never rests on colour.
STATUS_ICONS: dict[str, str] = {
    "complete": "✓",
    "near": "!",
    "behind": "✕",
    "no_activity": "∅",
    "no_plan": "–",
}


def vn_columns(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose known snake_case column names are replaced by Vietnamese headers."""
    return df.rename(columns=lambda c: COLUMN_LABELS.get(c, c) if isinstance(c, str) else c)
