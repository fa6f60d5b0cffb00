"""The periodic report's content as data: sections of sentences, each carrying the figures it states.

Every sentence is written only when its facts hold (gates for no plan, no activity, no comparison
year, sheets not tracked); what the data cannot say is a marked placeholder for the clerk. The model
is in report_model, the figures in report_facts, the sections in report_results, report_tracked and
report_assessment; this module assembles them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from cchc_lib.common.formatting import fmt_date, fmt_int
from cchc_lib.common.periods import Period
from cchc_lib.common.settings import Settings
from cchc_lib.documents import report_assessment as assessment
from cchc_lib.documents import report_results as results
from cchc_lib.documents import report_tracked as tracked
from cchc_lib.documents.report_facts import ReportFacts, gather_facts
from cchc_lib.documents.report_model import (
    EDITABLE_KEYS,
    MAX_NAMES,
    PLACEHOLDER_PREFIX,
    ReportContent,
    Section,
    Sentence,
    paragraphs_from_text,
    placeholder,
    section_text,
)
from cchc_lib.documents.report_wording import TOPIC, Words, join_words, period_phrase
from cchc_lib.reading.model import Workbook

__all__ = [
    "EDITABLE_KEYS",
    "MAX_NAMES",
    "PLACEHOLDER_PREFIX",
    "ReportContent",
    "Section",
    "Sentence",
    "build_content",
    "content_from_facts",
    "paragraphs_from_text",
    "period_phrase",
    "placeholder",
    "section_text",
]

# ------------------------------------------------------------------------------------------------
# assembling


def _warnings(f: ReportFacts, directives_missing: bool) -> list[str]:
    out: list[str] = []
    if f.actual == 0 and f.planned <= 0 and f.year_plan_raw <= 0:
        out.append(f"{f.period.label} chưa có chỉ tiêu và chưa có hoạt động nào trong sổ theo dõi.")
    elif f.year_plan_raw <= 0:
        out.append(f"Năm {f.period.year} chưa có chỉ tiêu kế hoạch: báo cáo không nêu tỷ lệ hoàn thành.")
    if f.data_until is None:
        out.append("Sổ theo dõi chưa có hoạt động nào.")
    elif f.data_until < f.last_day:
        out.append(
            f"Số liệu mới cập nhật đến ngày {fmt_date(f.data_until)} (kỳ báo cáo đến ngày {fmt_date(f.last_day)}): "
            "báo cáo không so sánh với cùng kỳ năm trước."
        )
    elif not f.comparable:
        out.append(
            f"Không có số liệu {period_phrase(f.period.previous_year().label)} để so sánh với cùng kỳ."
        )
    if directives_missing:
        out.append(
            "Sổ theo dõi chưa có trang 'Chỉ đạo, điều hành': mục Công tác chỉ đạo, điều hành để trống cho người "
            "soạn bổ sung."
        )
    if f.channels is not None and f.channels.unmapped:
        shown = join_words(f.channels.unmapped[:MAX_NAMES])
        more = len(f.channels.unmapped) - MAX_NAMES
        out.append(
            f"Kênh đăng tải chưa xếp được vào nhóm (tính vào nhóm Khác): {shown}"
            + (f" và {fmt_int(more)} kênh khác" if more > 0 else "")
            + "."
        )
    if f.funding is not None and f.funding.units and f.as_of is None:
        out.append("Chưa rõ ngày cập nhật số liệu kinh phí: hãy ghi ngày trước khi ký.")
    return out


def content_from_facts(
    f: ReportFacts, settings: Settings, *, texts: Mapping[str, str] | None = None
) -> ReportContent:
    """ReportFacts + settings (+ the clerk's edited texts by section key) -> ReportContent."""
    w = Words(f)
    next_period = f.period.next()
    sections: list[Section] = [Section("phan_ket_qua", "I. KẾT QUẢ THỰC HIỆN", (), 1, editable=False)]
    chi_dao, chi_dao_placeholder = results.chi_dao(f, w)
    sections.append(
        Section("chi_dao", "1. Công tác chỉ đạo, điều hành", chi_dao, 2, placeholder=chi_dao_placeholder)
    )
    sections.append(Section("ket_qua", "2. Kết quả thực hiện kế hoạch", results.ket_qua(f, w), 2))
    sections.append(
        Section("ket_qua_don_vi", "3. Kết quả theo cơ quan, đơn vị", results.ket_qua_don_vi(f, w), 2)
    )
    sections.append(Section("kenh", "4. Kênh đăng tải và lĩnh vực tuyên truyền", tracked.kenh(f, w), 2))
    number = 5
    if f.reviews is not None:
        sections.append(
            Section("ra_soat", f"{number}. Rà soát Trang thông tin điện tử", tracked.ra_soat(f, w), 2)
        )
        number += 1
    if f.funding is not None:
        sections.append(Section("kinh_phi", f"{number}. Kinh phí thực hiện", tracked.kinh_phi(f, w), 2))
        number += 1
    if f.initiatives is not None:
        sections.append(Section("sang_kien", f"{number}. Sáng kiến, mô hình mới", tracked.sang_kien(f, w), 2))
    sections.append(Section("danh_gia", "II. ĐÁNH GIÁ CHUNG", (), 1, editable=False))
    uu, uu_ph = assessment.uu_diem(f, w)
    sections.append(Section("uu_diem", "1. Ưu điểm", uu, 2, placeholder=uu_ph))
    tt, tt_ph = assessment.ton_tai(f, w)
    sections.append(Section("ton_tai", "2. Tồn tại, hạn chế", tt, 2, placeholder=tt_ph))
    sections.append(
        Section("nguyen_nhan", "3. Nguyên nhân", assessment.nguyen_nhan(f, w), 2, placeholder=True)
    )
    sections.append(
        Section(
            "phuong_huong",
            f"III. PHƯƠNG HƯỚNG, NHIỆM VỤ {next_period.label.upper()}",
            assessment.phuong_huong(f, w, next_period),
            1,
        )
    )
    sections.append(
        Section("kien_nghi", "IV. KIẾN NGHỊ, ĐỀ XUẤT", assessment.kien_nghi(f, w), 1, placeholder=True)
    )
    warnings = _warnings(f, f.directives is None)
    if texts:
        by_key = {s.key: i for i, s in enumerate(sections)}
        for key, text in texts.items():
            index = by_key.get(key)
            if index is None or not sections[index].editable:
                warnings.append(f"Đoạn đã sửa '{key}' không có trong báo cáo kỳ này nên không được dùng.")
                continue
            paragraphs = paragraphs_from_text(text)
            sections[index] = replace(
                sections[index],
                sentences=tuple(Sentence(p, {}) for p in paragraphs),
                edited=True,
                placeholder=any(p.startswith(PLACEHOLDER_PREFIX) for p in paragraphs),
            )
    for s in sections:
        if s.placeholder and any(p.startswith(PLACEHOLDER_PREFIX) for p in s.paragraphs):
            warnings.append(f"Mục “{s.heading}” còn phần để trống cần bổ sung trước khi ký.")
    organisation = settings.organisation
    reference = settings.plan_reference_for(f.period.year) or results.plan_citation(f.plan_document)
    if not reference:
        warnings.append(
            f'Chưa khai báo kế hoạch năm {f.period.year} trong tệp cấu hình ([plans."{f.period.year}"]: số, ngày, '
            "trích yếu) và trang 'Chỉ đạo, điều hành' không có kế hoạch thông tin, tuyên truyền cải cách hành "
            "chính của năm: câu mở đầu báo cáo chưa dẫn kế hoạch được thực hiện."
        )
    basis = f"Thực hiện {reference}, " if reference else ""
    who = organisation if basis else organisation[:1].upper() + organisation[1:]
    intro = (
        f"{basis}{who} báo cáo kết quả công tác {TOPIC} {w.phrase} (số liệu từ ngày {fmt_date(f.first_day)} "
        f"đến ngày {fmt_date(f.last_day)}) như sau:"
    )
    closing = f"Trên đây là báo cáo kết quả công tác {TOPIC} {w.phrase} của {organisation}./."
    return ReportContent(intro, tuple(sections), closing, tuple(warnings))


def build_content(
    wb: Workbook,
    period: Period,
    calendar: str,
    settings: Settings,
    *,
    texts: Mapping[str, str] | None = None,
    as_of: date | None = None,
) -> ReportContent:
    """The report content for `period` of the whole workbook. `texts` maps a section key (EDITABLE_KEYS)
    to the clerk's edited text, which replaces that section's sentences; `as_of` is the date the
    data was last updated (stated with the year's funding)."""
    facts = gather_facts(
        wb, period, calendar, settings.cutoff_day, settings.complete_pct, settings.near_pct, as_of=as_of
    )
    return content_from_facts(facts, settings, texts=texts)
