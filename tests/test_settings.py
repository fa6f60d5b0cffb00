"""Deployment settings: defaults, the example file, the environment override."""

from __future__ import annotations

from pathlib import Path

from cchc_lib.settings import PROJECT_ROOT, Settings, load_settings


def test_defaults_without_a_file(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "none.toml") == Settings()


def test_example_file_is_valid_and_sections_are_flattened() -> None:
    settings = load_settings(PROJECT_ROOT / "settings.example.toml")
    assert settings.organisation == "UBND huyện Cẩm Xuyên"
    assert settings.recipients == ("Sở Nội vụ (b/c);", "TT Huyện ủy, HĐND huyện (b/c);", "Lưu: VT.")
    assert settings.cutoff_day == 15


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
