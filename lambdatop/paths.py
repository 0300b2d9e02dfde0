"""Where lambdatop keeps its files, following the XDG base directory spec.

Every function takes the environment as a parameter (default: `os.environ`), so tests pass a
dict and never read or write the developer's real home.

- config dir: `$LAMBDATOP_CONFIG_DIR`, else `$XDG_CONFIG_HOME/lambdatop`,
  else `~/.config/lambdatop`
- config file: `<config dir>/config.toml`
- user themes: `<config dir>/themes/*.toml`
- cache dir: `$XDG_CACHE_HOME/lambdatop`, else `~/.cache/lambdatop` (last snapshot per account)
- state dir: `$XDG_STATE_HOME/lambdatop`, else `~/.local/state/lambdatop` (action journal)

Relative XDG values are ignored, as the spec requires.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP_DIR_NAME = "lambdatop"
CONFIG_FILENAME = "config.toml"
THEMES_DIRNAME = "themes"
JOURNAL_FILENAME = "journal.jsonl"


@dataclass(frozen=True, slots=True)
class AppPaths:
    """Every location lambdatop reads or writes, resolved once from the environment."""

    config_dir: Path
    config_file: Path
    themes_dir: Path
    cache_dir: Path
    state_dir: Path
    journal_file: Path


def home_dir(env: Mapping[str, str] | None = None) -> Path:
    """`$HOME` from `env`; only when it is absent do we ask the OS."""
    env = os.environ if env is None else env
    home = env.get("HOME", "")
    return Path(home) if home else Path.home()


def _expand_user(value: str, env: Mapping[str, str]) -> Path:
    # Path.expanduser() reads os.environ, not `env`; expand "~" ourselves so tests stay isolated.
    if value == "~" or value.startswith("~/"):
        return home_dir(env) / value[2:]
    return Path(value)


def _xdg_base(env: Mapping[str, str], variable: str, fallback: tuple[str, ...]) -> Path:
    # The spec says relative XDG paths are invalid and must be ignored.
    value = env.get(variable, "")
    if value and Path(value).is_absolute():
        return Path(value)
    return home_dir(env).joinpath(*fallback)


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    override = env.get("LAMBDATOP_CONFIG_DIR", "")
    if override:
        return _expand_user(override, env)
    return _xdg_base(env, "XDG_CONFIG_HOME", (".config",)) / APP_DIR_NAME


def config_file(env: Mapping[str, str] | None = None) -> Path:
    return config_dir(env) / CONFIG_FILENAME


def user_themes_dir(env: Mapping[str, str] | None = None) -> Path:
    return config_dir(env) / THEMES_DIRNAME


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return _xdg_base(env, "XDG_CACHE_HOME", (".cache",)) / APP_DIR_NAME


def state_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    return _xdg_base(env, "XDG_STATE_HOME", (".local", "state")) / APP_DIR_NAME


def app_paths(env: Mapping[str, str] | None = None) -> AppPaths:
    env = os.environ if env is None else env
    state = state_dir(env)
    return AppPaths(
        config_dir=config_dir(env),
        config_file=config_file(env),
        themes_dir=user_themes_dir(env),
        cache_dir=cache_dir(env),
        state_dir=state,
        journal_file=state / JOURNAL_FILENAME,
    )


def describe_paths(env: Mapping[str, str] | None = None) -> str:
    """The text of `lambdatop --print-paths`: one `name: path (state)` line per location."""
    paths = app_paths(env)
    entries = (
        ("config dir", paths.config_dir),
        ("config file", paths.config_file),
        ("user themes", paths.themes_dir),
        ("cache dir", paths.cache_dir),
        ("state dir", paths.state_dir),
        ("journal", paths.journal_file),
    )
    width = max(len(name) for name, _ in entries) + 1
    lines = [f"{name + ':':<{width}} {path} ({_existence(path)})" for name, path in entries]
    return "\n".join(lines)


def _existence(path: Path) -> str:
    try:
        return "exists" if path.exists() else "not created yet"
    except OSError:  # e.g. a parent directory we may not enter
        return "unreadable"
