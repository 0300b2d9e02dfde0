"""Themes: shipped files load and register on a Textual app; broken user themes are reported once."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.color import Color
from textual.theme import BUILTIN_THEMES
from textual.widgets import Static

from lambdatop.ui.themes import (
    SEMANTIC_VARIABLES,
    THEME_VARIABLE_DEFAULTS,
    ThemeError,
    ThemeSet,
    complete_variables,
    load_themes,
    parse_theme,
    register_all,
    shipped_themes_dir,
)

SHIPPED = ("dark", "light", "high-contrast", "ansi")


def write_theme(directory: Path, filename: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / filename
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- shipped themes


def test_shipped_themes_load_without_problems() -> None:
    themes = load_themes(None)

    assert themes.problems == ()
    assert themes.names[0] == "dark"
    assert set(SHIPPED) <= set(themes.names)


@pytest.mark.parametrize("name", SHIPPED)
def test_each_shipped_theme_sets_every_semantic_colour(name: str) -> None:
    theme = load_themes(None).themes[name]

    assert set(SEMANTIC_VARIABLES) <= set(theme.variables)


def test_variable_defaults_match_the_dark_theme() -> None:
    dark = load_themes(None).themes["dark"]

    assert {name: dark.variables[name] for name in SEMANTIC_VARIABLES} == THEME_VARIABLE_DEFAULTS


def test_ansi_theme_uses_the_terminal_palette() -> None:
    ansi = load_themes(None).themes["ansi"]

    assert ansi.ansi is True
    assert all(value.startswith("ansi_") for name, value in ansi.variables.items() if name in SEMANTIC_VARIABLES)


class ThemedApp(App[None]):
    CSS = """
    #crit { color: $status-crit; background: $prod-banner; }
    #stale { color: $stale; background: $gauge-floor; }
    """

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(THEME_VARIABLE_DEFAULTS)

    def compose(self) -> ComposeResult:
        yield Static("▲ THR", id="crit")
        yield Static("STALE 3m", id="stale")


async def test_shipped_themes_register_and_colour_widgets() -> None:
    themes = load_themes(None)
    app = ThemedApp()
    register_all(app, themes)

    async with app.run_test() as pilot:
        crit = app.query_one("#crit", Static)
        stale = app.query_one("#stale", Static)
        for name in SHIPPED:
            app.theme = name
            await pilot.pause()
            variables = themes.themes[name].variables
            assert crit.styles.color == Color.parse(variables["status-crit"]), name
            assert crit.styles.background == Color.parse(variables["prod-banner"]), name
            assert stale.styles.color == Color.parse(variables["stale"]), name


async def test_builtin_textual_themes_get_derived_semantic_colours() -> None:
    app = ThemedApp()
    register_all(app, load_themes(None))

    async with app.run_test() as pilot:
        app.theme = "nord"
        await pilot.pause()
        crit = app.query_one("#crit", Static)
        # Derived from nord's own error colour, as Textual's colour system renders it.
        assert crit.styles.color == Color.parse(app.theme_variables["error"])
        assert app.theme_variables["status-crit"] != THEME_VARIABLE_DEFAULTS["status-crit"]


def test_shipped_dir_in_a_wheel_is_inside_the_package(tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "lambdatop"
    write_theme(package / "themes", "dark.toml", "")

    assert shipped_themes_dir(package) == package / "themes"


def test_shipped_dir_in_a_checkout_or_editable_install_is_next_to_the_package(tmp_path: Path) -> None:
    package = tmp_path / "repo" / "lambdatop"
    package.mkdir(parents=True)
    write_theme(tmp_path / "repo" / "themes", "dark.toml", "")

    assert shipped_themes_dir(package) == tmp_path / "repo" / "themes"


def test_missing_shipped_dir_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    themes = load_themes(None, shipped_dir=tmp_path / "nowhere")

    assert themes.names == ()
    assert len(themes.problems) == 1
    assert themes.pick("dark") == ("textual-dark", "Unknown theme 'dark'; using 'textual-dark'.")


# ---------------------------------------------------------------- user themes


GOOD_USER_THEME = """
name = "solar"
primary = "#268BD2"
background = "#002B36"
[variables]
status-ok = "#859900"
"""


def test_user_theme_is_loaded_and_completed(tmp_path: Path) -> None:
    write_theme(tmp_path, "solar.toml", GOOD_USER_THEME)

    themes = load_themes(tmp_path)
    solar = complete_variables(themes.themes["solar"])

    assert themes.problems == ()
    assert solar.variables["status-ok"] == "#859900"
    assert set(SEMANTIC_VARIABLES) <= set(solar.variables)


def test_broken_user_theme_is_skipped_and_reported_once(tmp_path: Path) -> None:
    write_theme(tmp_path, "solar.toml", GOOD_USER_THEME)
    broken = write_theme(
        tmp_path,
        "broken.toml",
        'name = "broken"\nprimay = "#FF0000"\n[variables]\nstatus-okk = "#00FF00"\n',
    )

    themes = load_themes(tmp_path)

    assert "broken" not in themes.themes
    assert "solar" in themes.themes
    assert len(themes.problems) == 1
    problem = themes.problems[0]
    assert problem.startswith(f"{broken}: theme skipped: ")
    assert "unknown key 'primay'; did you mean 'primary'?" in problem
    assert "missing required key 'primary'" in problem
    assert "unknown variable 'status-okk'; did you mean 'status-ok'?" in problem


def test_registering_skips_what_loading_reported(tmp_path: Path) -> None:
    write_theme(tmp_path, "broken.toml", 'name = "broken"\nprimary = "not-a-colour"\n')
    themes = load_themes(tmp_path)
    app = ThemedApp()

    register_all(app, themes)

    assert "broken" not in app.available_themes
    assert set(SHIPPED) <= set(app.available_themes)
    assert len(themes.problems) == 1


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("primary = '#123456'", "missing required key 'name'"),
        ("name = 'x'\nprimary = 'blurple'", "'primary' is not a colour"),
        ("name = 'x'\nprimary = '#123456'\ndark = 'yes'", "'dark' must be true or false"),
        ("name = 'x'\nprimary = '#123456'\ntext_alpha = 2", "'text_alpha' must be a number from 0 to 1"),
        ("name = 'my theme'\nprimary = '#123456'", "'name' must be a name"),
        ("name = 'x'\nprimary = '#123456'\nvariables = 3", "[variables] must be a table"),
        ("name = 'x'\nprimary = '#123456'\n[variables]\nstale = 'grey 150%'", "variable 'stale' is not a colour"),
        ("name = 'x'\nprimary = '#123456'\n[variables]\nmuted = 5", "variable 'muted' must be a non-empty string"),
    ],
)
def test_theme_validation_messages(text: str, fragment: str) -> None:
    with pytest.raises(ThemeError) as caught:
        parse_theme(tomllib.loads(text))

    assert fragment in str(caught.value)


def test_semantic_colours_may_carry_an_alpha_and_textual_variables_pass_through() -> None:
    theme = parse_theme(
        tomllib.loads(
            "name = 'x'\nprimary = '#123456'\n[variables]\nstale = 'ansi_white 50%'\nblock-cursor-text-style = 'bold'\n"
        )
    )

    assert theme.variables == {"stale": "ansi_white 50%", "block-cursor-text-style": "bold"}


def test_invalid_toml_user_theme_is_reported(tmp_path: Path) -> None:
    write_theme(tmp_path, "bad.toml", "name = \n")

    themes = load_themes(tmp_path)

    assert len(themes.problems) == 1
    assert "not valid TOML" in themes.problems[0]


def test_user_theme_may_replace_a_shipped_one_but_not_another_user_theme(tmp_path: Path) -> None:
    write_theme(tmp_path, "a.toml", 'name = "dark"\nprimary = "#FF00FF"\n')
    write_theme(tmp_path, "b.toml", 'name = "dark"\nprimary = "#00FF00"\n')

    themes = load_themes(tmp_path)

    assert themes.themes["dark"].primary == "#FF00FF"
    assert len(themes.problems) == 1
    assert "another user theme is named 'dark'" in themes.problems[0]


def test_pick_falls_back_with_a_suggestion() -> None:
    themes = ThemeSet(themes={"dark": BUILTIN_THEMES["textual-dark"]})

    assert themes.pick("dark") == ("dark", None)
    assert themes.pick("nord", also_available=["nord"]) == ("nord", None)
    assert themes.pick("drak") == ("dark", "Unknown theme 'drak'; using 'dark'. Did you mean 'dark'?")
