"""Config and files you can trust: what cannot be read or written is said as such, once."""

from __future__ import annotations

from pathlib import Path

from lambdatop.cache import AccountCache
from lambdatop.cadence import Cadence
from lambdatop.settings import load_settings
from lambdatop.terminal import screen_problem
from lambdatop.ui.themes import load_themes
from tests.factories import NOW, make_region, make_row, make_snapshot


def _fleet(account_id: str = "111122223333") -> object:
    return make_snapshot([make_row("fn", account_id=account_id)], regions=(make_region(account_id=account_id),))


def test_an_unwritable_cache_is_told_once(tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be")
    told: list[str] = []
    cache = AccountCache(blocker / "lambdatop", None, None, ("us-east-1",), told.append)
    cache.save(_fleet())  # type: ignore[arg-type]
    cache.save(_fleet())  # type: ignore[arg-type]
    assert len(told) == 1
    assert "cannot write the snapshot cache" in told[0]
    assert str(blocker) in told[0]


def test_a_cache_file_saved_under_one_account_is_never_loaded_for_another(tmp_path: Path) -> None:
    cache = AccountCache(tmp_path, "prod", None, ("us-east-1",))
    cache.save(_fleet("111122223333"))  # type: ignore[arg-type]
    assert cache.load(NOW, "999988887777") is None
    loaded = cache.load(NOW, "111122223333")
    assert loaded is not None
    assert loaded.from_cache


def test_an_unreadable_themes_folder_is_reported_as_such(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "themes"
    not_a_folder.write_text("")
    themes = load_themes(not_a_folder)
    assert any("cannot read the themes folder" in p and str(not_a_folder) in p for p in themes.problems)
    name, message = themes.pick("my-theme")
    assert name == "dark"
    assert message is not None
    assert "Unknown theme" not in message
    assert "cannot read the themes folder" in message


def test_a_missing_themes_folder_is_no_problem(tmp_path: Path) -> None:
    assert load_themes(tmp_path / "nothing-here").folder_problem is None


def test_the_demo_keeps_its_fast_cadence_unless_a_refresh_is_given(tmp_path: Path) -> None:
    assert Cadence().for_demo().metrics_s == 10.0
    assert Cadence().for_demo(30.0).metrics_s == 30.0
    config = tmp_path / "config.toml"
    config.write_text("[demo]\nrefresh = 5\n")
    demo = load_settings({"demo": True}, {}, config_path=config)
    assert (demo.refresh_s, demo.refresh_given) == (5, True)
    plain = load_settings({"demo": True}, {}, config_path=tmp_path / "none.toml")
    assert plain.refresh_given is False
    flagged = load_settings({"demo": True, "refresh_s": 20}, {}, config_path=tmp_path / "none.toml")
    assert (flagged.refresh_s, flagged.refresh_given) == (20, True)


def test_terminals_that_cannot_draw_are_named() -> None:
    assert screen_problem({"TERM": "xterm-256color"}, True, True) is None
    assert "TERM=dumb" in (screen_problem({"TERM": "dumb"}, True, True) or "")
    assert "TERM is not set" in (screen_problem({}, True, True) or "")
    assert "not a terminal" in (screen_problem({"TERM": "xterm"}, True, False) or "")
