"""Deployment settings: defaults, the example file, the environment override."""

from __future__ import annotations

from pathlib import Path

import pytest

from cchc_lib.common.settings import PROJECT_ROOT, PlanReference, Settings, load_settings

RECIPIENTS = (
    "Sở Nội vụ (b/c);",
    "TT Huyện ủy, TT HĐND huyện (b/c);",
    "Chủ tịch, các PCT UBND huyện;",
    "Các cơ quan, đơn vị thuộc UBND huyện;",
    "UBND các xã, thị trấn;",
    "Lưu: VT, NV.",
)
PLAN_2024 = (
    "Kế hoạch số 45/KH-UBND ngày 15/01/2024 của UBND huyện Cẩm Xuyên về thông tin, tuyên truyền "
    "cải cách hành chính năm 2024"
)


def test_defaults_without_a_file(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "none.toml") == Settings()


def test_example_file_is_valid_and_sections_are_flattened() -> None:
    settings = load_settings(PROJECT_ROOT / "settings.example.toml")
    assert settings.organisation == "UBND huyện Cẩm Xuyên"
    assert settings.recipients == RECIPIENTS == Settings().recipients
    assert settings.cutoff_day == 15
    assert settings.signer_capacity == "TM. ỦY BAN NHÂN DÂN" and settings.signer_title == "CHỦ TỊCH"
    assert settings.plan_reference_for(2024) == PLAN_2024
    assert settings.plan_reference_for(2025) == ""  # no table for 2025, no fallback text
    text = (PROJECT_ROOT / "settings.example.toml").read_text(encoding="utf-8")
    assert "KT. CHỦ TỊCH" in text and "PHÓ CHỦ TỊCH" in text  # both signing forms documented


def test_environment_names_the_file_and_unknown_keys_are_ignored(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        'organisation = "UBND xã Thiên Cầm"\nstore_dir = "/srv/cchc"\nfoo = 1\n', encoding="utf-8"
    )
    monkeypatch.setenv("CCHC_SETTINGS", str(path))
    settings = load_settings()
    assert settings.organisation == "UBND xã Thiên Cầm"
    assert settings.store_path == Path("/srv/cchc")
    assert Settings().store_path == PROJECT_ROOT / "data" / "store"


@pytest.mark.parametrize(
    "header",
    ['[plans."2024"]', "[plans.2024]", '[report.plans."2024"]'],
)
def test_plans_per_year_load_and_other_keys_still_flatten(tmp_path: Path, header: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        "[report]\n"
        'signer_capacity = "KT. CHỦ TỊCH"\n'
        'signer_title = "PHÓ CHỦ TỊCH"\n'
        'recipients = ["Sở Nội vụ (b/c);", "Lưu: VT."]\n'
        "[periods]\n"
        "cutoff_day = 20\n"
        f"{header}\n"
        'number = "45/KH-UBND"\n'
        'date = "15/01/2024"\n'
        'title = "Kế hoạch thông tin, tuyên truyền cải cách hành chính năm 2024"\n'
        "[plans.2025]\n"
        'number = "12/KH-UBND"\n'
        "date = 2025-01-20\n"
        'title = "Kế hoạch thông tin, tuyên truyền cải cách hành chính năm 2025"\n'
        'issuer = "UBND tỉnh Hà Tĩnh"\n',
        encoding="utf-8",
    )
    settings = load_settings(path)
    assert settings.signer_capacity == "KT. CHỦ TỊCH" and settings.signer_title == "PHÓ CHỦ TỊCH"
    assert settings.recipients == ("Sở Nội vụ (b/c);", "Lưu: VT.")
    assert settings.cutoff_day == 20
    assert settings.plan_reference_for(2024) == PLAN_2024
    assert settings.plan_reference_for(2025) == (
        "Kế hoạch số 12/KH-UBND ngày 20/01/2025 của UBND tỉnh Hà Tĩnh về thông tin, tuyên truyền "
        "cải cách hành chính năm 2025"
    )
    assert settings.plan_for(2025) == PlanReference(
        2025,
        "12/KH-UBND",
        "20/01/2025",
        "Kế hoạch thông tin, tuyên truyền cải cách hành chính năm 2025",
        "UBND tỉnh Hà Tĩnh",
    )
    assert settings.plan_reference_for(2023) == ""


def test_plan_reference_falls_back_to_the_single_setting(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text(
        'plan_reference = "Kế hoạch số 7/KH-UBND ngày 10/01/2023"\n'
        '[plans."2024"]\nnumber = "45/KH-UBND"\ntitle = "thông tin, tuyên truyền CCHC năm 2024"\n'
        "[plans.bad]\nnumber = 1\n",
        encoding="utf-8",
    )
    settings = load_settings(path)
    assert settings.plan_reference_for(2023) == "Kế hoạch số 7/KH-UBND ngày 10/01/2023"
    assert settings.plan_reference_for(2024) == (
        "Kế hoạch số 45/KH-UBND của UBND huyện Cẩm Xuyên về thông tin, tuyên truyền CCHC năm 2024"
    )
    assert [plan.year for plan in settings.plans] == [2024]
    assert Settings().plan_reference_for(2024) == ""  # nothing set: no reference at all


@pytest.mark.parametrize(
    ("plan", "phrase"),
    [
        (
            PlanReference(2024, title="Kế hoạch tuyên truyền CCHC năm 2024"),
            "Kế hoạch của ORG về tuyên truyền CCHC năm 2024",
        ),
        (PlanReference(2024, number="3/KH-UBND", issuer="UBND tỉnh"), "Kế hoạch số 3/KH-UBND của UBND tỉnh"),
        (PlanReference(2024, date="02/01/2024", title="về CCHC"), "Kế hoạch ngày 02/01/2024 của ORG về CCHC"),
    ],
)
def test_plan_phrase_uses_the_parts_that_are_set(plan: PlanReference, phrase: str) -> None:
    assert plan.phrase("ORG") == phrase
