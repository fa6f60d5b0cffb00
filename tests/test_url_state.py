"""cchc_lib.web.url_state: the view read from and written to the query string (hostile input)."""

from __future__ import annotations

from cchc_lib.web.url_state import View, carried, encode_view, link, parse_view, same_params, type_slug

TYPES = ["Phòng chuyên môn", "UBND xã, thị trấn", "Đơn vị sự nghiệp"]
CODES = ["PNV", "XCB", "XCN", "TTCX"]
DEFAULTS = View(2024, "", "calendar")


def test_type_slugs_are_lower_case_without_diacritics() -> None:
    assert [type_slug(t) for t in TYPES] == ["phong-chuyen-mon", "ubnd-xa-thi-tran", "don-vi-su-nghiep"]


def test_a_full_address_is_read() -> None:
    params = {
        "nam": "2023",
        "ky": "q2",
        "lich": "bc",
        "loai": "ubnd-xa-thi-tran,don-vi-su-nghiep",
        "dv": "XCB,XCN",
    }
    assert parse_view(params, TYPES, CODES) == View(
        2023, "Q2", "report", ("UBND xã, thị trấn", "Đơn vị sự nghiệp"), ("XCB", "XCN")
    )


def test_every_period_kind_and_calendar_round_trips() -> None:
    for kind in ("Q1", "Q2", "Q3", "Q4", "H1", "9M", ""):
        for calendar in ("calendar", "report"):
            view = View(2022, kind, calendar, ("Phòng chuyên môn",), ("PNV", "TTCX"))
            assert parse_view(encode_view(view, DEFAULTS, explicit=True), TYPES, CODES) == view
            assert parse_view(encode_view(view, DEFAULTS), TYPES, CODES).unit_codes == ("PNV", "TTCX")


def test_codes_and_slugs_match_case_insensitively_and_unknown_ones_are_dropped() -> None:
    params = {"loai": "UBND-XA-THI-TRAN,khong-co", "dv": "xcb, pnv ,NOPE,,xcb"}
    view = parse_view(params, TYPES, CODES)
    assert view.unit_types == ("UBND xã, thị trấn",)
    assert view.unit_codes == ("XCB", "PNV")  # workbook spelling, order of the address, once each


def test_malformed_values_mean_not_given() -> None:
    hostile = {
        "nam": "99999",
        "ky": "<script>alert(1)</script>",
        "lich": "'; DROP TABLE",
        "loai": "\x00" * 50,
        "dv": "A" * 100_000,
        "other": "x",
    }
    assert parse_view(hostile, TYPES, CODES) == View()
    for year in ("1999", "2101", "２０２４", "2024.0", " 20 24", "-2024", ""):
        assert parse_view({"nam": year}, TYPES, CODES).year is None, year
    assert parse_view({"nam": " 2024 "}, TYPES, CODES).year == 2024
    assert parse_view({"ky": ["q1", "q3"]}, TYPES, CODES).kind == "Q3"  # repeated key: the last
    assert parse_view({"ky": []}, TYPES, CODES).kind is None
    assert parse_view({"ky": "H2"}, TYPES, CODES).kind is None  # not offered by the picker


def test_a_code_beyond_the_caps_is_ignored() -> None:
    many = ",".join([f"X{i}" for i in range(400)] + ["XCB"])  # XCB is item 401: past the 300 looked at
    assert parse_view({"dv": many}, TYPES, CODES).unit_codes == ()
    assert parse_view({"dv": "XCB," + "Z" * 5000}, TYPES, CODES).unit_codes == ("XCB",)


def test_defaults_are_left_out_of_the_address_bar_but_not_out_of_a_copied_link() -> None:
    assert encode_view(View(2024, "", "calendar"), DEFAULTS) == {}
    assert encode_view(View(2024, "Q2", "calendar"), DEFAULTS) == {"ky": "q2"}
    assert encode_view(View(2023, "H1", "report", ("UBND xã, thị trấn",), ("XCB",)), DEFAULTS) == {
        "nam": "2023",
        "ky": "6t",
        "lich": "bc",
        "loai": "ubnd-xa-thi-tran",
        "dv": "XCB",
    }
    assert encode_view(View(2024, "", "calendar"), DEFAULTS, explicit=True) == {
        "nam": "2024",
        "ky": "ca-nam",
        "lich": "dl",
    }


def test_a_code_with_a_comma_is_not_carried() -> None:
    assert encode_view(View(2024, "", "calendar", (), ("A,B", "XCB")), DEFAULTS) == {"dv": "XCB"}


def test_links_are_absolute_http_addresses() -> None:
    params = {"nam": "2024", "ky": "q2", "dv": "XCB,XCN"}
    assert link("http://127.0.0.1:8501", params) == "http://127.0.0.1:8501/?nam=2024&ky=q2&dv=XCB,XCN"
    assert link("https://cchc.example.vn/don_vi?old=1#x", {}) == "https://cchc.example.vn/don_vi"
    assert link("https://h/a b", {"loai": "ubnd-xa thi"}) == "https://h/a b?loai=ubnd-xa+thi"
    for bad in (None, "", "javascript:alert(1)", "file:///etc/passwd", "https://h/" + "a" * 3000):
        assert link(bad, params) is None


def test_carried_and_same_params_look_only_at_the_dashboard_keys() -> None:
    assert carried({"ky": "q2", "x": "1", "dv": "", "nam": ["2023", "2024"]}) == {"ky": "q2", "nam": "2024"}
    assert same_params({"ky": "q2", "x": "1"}, {"ky": "q2"})
    assert not same_params({"ky": "q2"}, {"ky": "q3"})
    assert same_params({}, {})
