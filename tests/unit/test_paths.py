"""XDG locations: every test passes its own environment, so the real home is never touched."""

from __future__ import annotations

from pathlib import Path

from lambdatop.paths import app_paths, cache_dir, config_dir, describe_paths, state_dir


def test_default_locations_follow_home(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path)}

    paths = app_paths(env)

    assert paths.config_dir == tmp_path / ".config" / "lambdatop"
    assert paths.config_file == tmp_path / ".config" / "lambdatop" / "config.toml"
    assert paths.themes_dir == tmp_path / ".config" / "lambdatop" / "themes"
    assert paths.cache_dir == tmp_path / ".cache" / "lambdatop"
    assert paths.state_dir == tmp_path / ".local" / "state" / "lambdatop"
    assert paths.journal_file.parent == paths.state_dir


def test_xdg_variables_move_each_directory(tmp_path: Path) -> None:
    env = {
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "XDG_CACHE_HOME": str(tmp_path / "cch"),
        "XDG_STATE_HOME": str(tmp_path / "st"),
    }

    assert config_dir(env) == tmp_path / "cfg" / "lambdatop"
    assert cache_dir(env) == tmp_path / "cch" / "lambdatop"
    assert state_dir(env) == tmp_path / "st" / "lambdatop"


def test_lambdatop_config_dir_beats_xdg(tmp_path: Path) -> None:
    env = {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
        "LAMBDATOP_CONFIG_DIR": str(tmp_path / "mine"),
    }

    assert config_dir(env) == tmp_path / "mine"
    assert app_paths(env).themes_dir == tmp_path / "mine" / "themes"


def test_tilde_in_override_expands_with_the_given_home(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "LAMBDATOP_CONFIG_DIR": "~/ltop"}

    assert config_dir(env) == tmp_path / "ltop"


def test_relative_xdg_values_are_ignored_as_the_spec_requires(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_CACHE_HOME": "relative/cache"}

    assert cache_dir(env) == tmp_path / ".cache" / "lambdatop"


def test_describe_paths_says_which_locations_exist(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path)}
    paths = app_paths(env)
    paths.config_dir.mkdir(parents=True)
    paths.config_file.write_text("theme = 'dark'\n")

    lines = describe_paths(env).splitlines()

    by_name = {line.split(":", 1)[0]: line for line in lines}
    assert set(by_name) == {
        "config dir",
        "config file",
        "user themes",
        "cache dir",
        "state dir",
        "journal",
    }
    assert str(paths.config_file) in by_name["config file"]
    assert by_name["config file"].endswith("(exists)")
    assert by_name["user themes"].endswith("(not created yet)")
    assert by_name["cache dir"].endswith("(not created yet)")
