"""Property: however untidy the layout, the reader recovers exactly the data that was written."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_lib.reading.workbook import read_workbook
from cchc_lib.sample.builder import DATE_MODES, HEADER_VARIANTS, Layout, WorkbookSpec, build_xlsx

UNIT_TYPES = ["Phòng chuyên môn", "Đơn vị sự nghiệp", "Cơ quan ngành dọc", "UBND xã, thị trấn"]
TYPES = [("TIN_BAI", "Tin, bài"), ("PHONG_SU", "Phóng sự"), ("BAI_DANG_TTDT", "Bài đăng Cổng/Trang TTĐT")]
NAMES = ["Phòng Nội vụ", "UBND xã Cẩm Bình", "Trung tâm Văn hóa - Truyền thông", "Chi cục Thuế", "Xã Cẩm Hòa"]

layouts = st.builds(
    Layout,
    title_block=st.booleans(),
    stt=st.booleans(),
    total_row=st.booleans(),
    extra_column=st.booleans(),
    header_variants=st.sampled_from([None, *HEADER_VARIANTS]),
    dates_as=st.sampled_from(DATE_MODES),
    nfd_text=st.booleans(),
    nbsp=st.booleans(),
    lower_codes=st.booleans(),
    blank_rows=st.booleans(),
    blank_every=st.integers(1, 5),
    numbers_as_text=st.booleans(),
)


@st.composite
def specs(
    draw: st.DrawFn,
) -> tuple[WorkbookSpec, list[tuple[date, str, str, int]], list[tuple[str, str, int]]]:
    n_units = draw(st.integers(1, len(NAMES)))
    codes = [f"U{i}" for i in range(n_units)]
    units = [
        {"Mã đơn vị": c, "Tên đơn vị": NAMES[i], "Loại đơn vị": draw(st.sampled_from(UNIT_TYPES))}
        for i, c in enumerate(codes)
    ]
    targets, expected_targets = [], []
    for code in codes:
        row = {"Năm": 2024, "Quý": None, "Mã đơn vị": code}
        for type_code, _ in TYPES:
            value = draw(st.none() | st.integers(0, 40))
            if value is not None:
                row[type_code] = value
                expected_targets.append((code, type_code, value))
        targets.append(row)
    acts = draw(
        st.lists(
            st.tuples(
                st.integers(0, 365),
                st.sampled_from(codes),
                st.sampled_from(TYPES),
                st.integers(1, 30),
                st.booleans(),
            ),
            max_size=25,
        )
    )
    activities, expected_acts = [], []
    for offset, code, (type_code, type_name), quantity, by_name in acts:
        day = date(2024, 1, 1) + timedelta(days=offset)
        activities.append(
            {
                "Ngày": day,
                "Mã đơn vị": code,
                "Loại hoạt động": type_name if by_name else type_code,
                "Số lượng": quantity,
                "Tiêu đề": f"Tin CCHC {offset}",
            }
        )
        expected_acts.append((day, code, type_code, quantity))
    return WorkbookSpec(units, targets, activities), expected_acts, expected_targets


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs(), layouts)
def test_untidy_layouts_read_back_to_the_written_data(drawn, layout: Layout) -> None:
    spec, expected_acts, expected_targets = drawn
    result = read_workbook(build_xlsx(spec, layout=layout))
    assert result.ok, result.errors
    assert set(result.warnings["code"]) <= {"total_row", "extra_column"}
    wb = result.workbook
    assert list(wb.units["unit_code"]) == [u["Mã đơn vị"] for u in spec.units]
    assert list(wb.units["unit_name"]) == [u["Tên đơn vị"] for u in spec.units]
    got_acts = sorted(
        zip(
            wb.activities["date"].dt.date,
            wb.activities["unit_code"],
            wb.activities["type_code"],
            wb.activities["quantity"].astype(int),
            strict=True,
        )
    )
    assert got_acts == sorted(expected_acts)
    got_targets = sorted(
        zip(wb.targets["unit_code"], wb.targets["type_code"], wb.targets["target"].astype(int), strict=True)
    )
    assert got_targets == sorted(expected_targets)
    assert wb.targets["quarter"].isna().all()
