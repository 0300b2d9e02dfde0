"""Colour themes: the shipped TOML files plus the user's own, checked and registered with Textual.

A theme file holds Textual `Theme` fields (`name`, `primary`, `background`, …) and a
`[variables]` table. Besides Textual's own variables, `[variables]` carries lambdatop's
semantic colours (`SEMANTIC_VARIABLES`), which the stylesheets use as `$status-ok`, `$stale`, ….
A theme that leaves some of them out gets them derived from its own success / warning / error /
accent colours, so every theme (user, shipped or Textual built-in) can colour every state.

Shipped themes live in the top-level `themes/` of the source tree and in `lambdatop/themes/`
inside the wheel; user themes in `<config dir>/themes/*.toml`. A broken user theme is skipped
and described once in `ThemeSet.problems`, for the app to show in a single notification.

NO_COLOR: settings select the `ansi` theme (the terminal's own palette); Textual itself reads
NO_COLOR and strips colour from every frame. Animations: the app sets `animation_level = "none"`
unless `Settings.animations` is true.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Protocol

from textual.color import Color, ColorParseError
from textual.design import ColorSystem
from textual.theme import Theme

DEFAULT_THEME = "dark"
FALLBACK_THEME = "textual-dark"  # Textual's own default, used if our files went missing

SEMANTIC_VARIABLES: Mapping[str, str] = {
    "status-ok": "healthy rows and OK badges",
    "status-warn": "warnings: errors rising, a cap nearly used",
    "status-crit": "critical: throttling, high error rate, a growing DLQ",
    "status-stopped": "a function stopped on purpose (reserved concurrency 0)",
    "stale": "numbers older than their cadence (always with the word STALE)",
    "provisional": "the newest minute, which may still grow",
    "canary": "a canary version behind a weighted alias",
    "prod-banner": "background of the production banner",
    "prod-banner-text": "text on the production banner",
    "gauge-fill": "the used part of a gauge",
    "gauge-floor": "the empty track of a gauge",
    "muted": "secondary text",
}

# Fallbacks for App.get_theme_variable_defaults(): the shipped dark theme's values, so a
# stylesheet using our variables parses even in an App that registered no theme of ours.
THEME_VARIABLE_DEFAULTS: dict[str, str] = {
    "status-ok": "#3FB950",
    "status-warn": "#E3B341",
    "status-crit": "#FF6B6B",
    "status-stopped": "#C792EA",
    "stale": "#7D8590",
    "provisional": "#A5B4C3",
    "canary": "#56D4DD",
    "prod-banner": "#B62324",
    "prod-banner-text": "#FFFFFF",
    "gauge-fill": "#4C9BE8",
    "gauge-floor": "#2A323C",
    "muted": "#8B949E",
}

# Where a missing semantic variable comes from: the first of these the theme's colour system
# defines (CSS variables cannot refer to other variables, so we copy the value).
_DERIVED_FROM: Mapping[str, tuple[str, ...]] = {
    "status-ok": ("success",),
    "status-warn": ("warning",),
    "status-crit": ("error",),
    "status-stopped": ("accent",),
    "stale": ("foreground-muted", "foreground"),
    "provisional": ("foreground-muted", "foreground"),
    "canary": ("primary-lighten-1", "primary"),
    "prod-banner": ("error",),
    "gauge-fill": ("primary",),
    "gauge-floor": ("panel-lighten-1", "panel"),
    "muted": ("foreground-muted", "foreground"),
}

_THEME_FIELDS = {f.name for f in fields(Theme)}
_COLOUR_FIELDS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
_FLAG_FIELDS = ("dark", "ansi")
_FRACTION_FIELDS = ("luminosity_spread", "text_alpha")
_REQUIRED = ("name", "primary")
_THEME_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# Every variable Textual's own widgets read, so a typo in [variables] is caught, not ignored.
_TEXTUAL_VARIABLES = frozenset(ColorSystem(primary="#000000").generate())


class ThemeError(ValueError):
    """A theme file could not be used; the text lists every problem in it."""


class _ThemeHost(Protocol):
    """The part of `textual.app.App` that registration needs."""

    @property
    def available_themes(self) -> dict[str, Theme]: ...

    def register_theme(self, theme: Theme) -> None: ...


@dataclass(frozen=True, slots=True)
class ThemeSet:
    """Themes by name (shipped first, then the user's) and the problems met loading them."""

    themes: Mapping[str, Theme] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    # The user's themes folder exists but could not be listed: a theme asked for by name may
    # well be in it, so "unknown theme" would send the user looking in the wrong place.
    folder_problem: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.themes)

    def pick(self, requested: str, also_available: Iterable[str] = ()) -> tuple[str, str | None]:
        """The theme to use for `requested`, and a message when it had to fall back."""
        available = [*self.themes, *(n for n in also_available if n not in self.themes)]
        if requested in available:
            return requested, None
        fallback = DEFAULT_THEME if DEFAULT_THEME in self.themes else FALLBACK_THEME
        if self.folder_problem is not None:
            return fallback, f"Theme '{requested}' not loaded ({self.folder_problem}); using '{fallback}'."
        close = difflib.get_close_matches(requested, available, n=1, cutoff=0.6)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        return fallback, f"Unknown theme '{requested}'; using '{fallback}'.{hint}"


# ---------------------------------------------------------------- finding and reading files


def shipped_themes_dir(package_dir: Traversable | None = None) -> Traversable:
    """The shipped theme files: `lambdatop/themes/` in a wheel, else the checkout's `themes/`.

    An editable install or a source checkout imports `lambdatop` from the repository, whose
    `themes/` sits next to the package directory.
    """
    package = resources.files("lambdatop") if package_dir is None else package_dir
    inside = package / "themes"
    if inside.is_dir() or not isinstance(package, Path):
        return inside
    return package.parent / "themes"


def load_themes(user_dir: Path | None, shipped_dir: Traversable | None = None) -> ThemeSet:
    """Load the shipped themes and the user's; a user theme may replace a shipped one."""
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    shipped = shipped_dir if shipped_dir is not None else shipped_themes_dir()
    shipped_files = sorted(
        (entry for entry in _entries(shipped, problems) if entry.name.endswith(".toml")),
        key=_shipped_order,
    )
    for entry in shipped_files:
        _load_into(themes, entry, problems)
    user_names: set[str] = set()
    folder_problem: str | None = None
    user_files: list[Path] = []
    if user_dir is not None:
        try:
            user_files = sorted(p for p in user_dir.iterdir() if p.name.endswith(".toml"))
        except FileNotFoundError:
            pass  # no user themes: nothing to say
        except OSError as exc:
            folder_problem = f"cannot read the themes folder {user_dir}: {exc.strerror or exc}"
            problems.append(folder_problem)
    for path in user_files:
        if (name := _load_into(themes, path, problems, seen=user_names)) is not None:
            user_names.add(name)
    return ThemeSet(themes=themes, problems=tuple(problems), folder_problem=folder_problem)


def _shipped_order(entry: Traversable) -> tuple[int, str]:
    # The default first, so pickers list "dark" at the top; then the rest by name.
    stem = entry.name.removesuffix(".toml")
    return (0 if stem == DEFAULT_THEME else 1, stem)


def _entries(directory: Traversable, problems: list[str]) -> list[Traversable]:
    try:
        return list(directory.iterdir())
    except OSError as exc:
        problems.append(f"{directory}: cannot list shipped themes: {exc}")
        return []


def _load_into(
    themes: dict[str, Theme],
    source: Traversable,
    problems: list[str],
    seen: set[str] | None = None,
) -> str | None:
    """Parse one file into `themes` (a later file wins a name); return its name or None."""
    try:
        theme = parse_theme(tomllib.loads(source.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{source}: theme skipped: cannot read it: {exc}")
        return None
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{source}: theme skipped: not valid TOML: {exc}")
        return None
    except RecursionError:
        problems.append(f"{source}: theme skipped: nested too deeply to read")
        return None
    except ThemeError as exc:
        problems.append(f"{source}: theme skipped: {exc}")
        return None
    if seen is not None and theme.name in seen:
        problems.append(f"{source}: theme skipped: another user theme is named '{theme.name}'")
        return None
    themes[theme.name] = theme
    return theme.name


# ---------------------------------------------------------------- checking one theme


def parse_theme(data: Mapping[str, object]) -> Theme:
    """Build a Theme from a parsed TOML table, or raise ThemeError listing every problem."""
    problems: list[str] = []
    for key in data:
        if key not in _THEME_FIELDS:
            problems.append(f"unknown key '{key}'{_suggest(key, sorted(_THEME_FIELDS))}")
    problems.extend(f"missing required key '{key}'" for key in _REQUIRED if key not in data)
    name = data.get("name")
    if "name" in data and not (isinstance(name, str) and _THEME_NAME.match(name)):
        problems.append(f"'name' must be a name like \"my-theme\", not {name!r}")
    for key in _COLOUR_FIELDS:
        if key in data and (reason := _colour_problem(data[key], allow_alpha_suffix=False)):
            problems.append(f"'{key}' {reason}")
    for key in _FLAG_FIELDS:
        if key in data and not isinstance(data[key], bool):
            problems.append(f"'{key}' must be true or false, not {data[key]!r}")
    for key in _FRACTION_FIELDS:
        value = data.get(key, 0.0)
        if not (isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1):
            problems.append(f"'{key}' must be a number from 0 to 1, not {value!r}")
    variables = _check_variables(data.get("variables", {}), problems)
    if problems:
        raise ThemeError("; ".join(problems))
    checked: dict[str, Any] = {k: v for k, v in data.items() if k != "variables"}
    theme = Theme(**checked, variables=variables)
    try:
        theme.to_color_system().generate()
    except (ColorParseError, ValueError) as exc:  # pragma: no cover - parse checks come first
        raise ThemeError(f"Textual cannot build colours from it: {exc}") from None
    return theme


def _check_variables(raw: object, problems: list[str]) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        problems.append("[variables] must be a table of name = value")
        return {}
    known = sorted({*SEMANTIC_VARIABLES, *_TEXTUAL_VARIABLES})
    variables: dict[str, str] = {}
    for name, value in raw.items():
        if name not in SEMANTIC_VARIABLES and name not in _TEXTUAL_VARIABLES:
            problems.append(f"unknown variable '{name}'{_suggest(name, known)}")
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"variable '{name}' must be a non-empty string, not {value!r}")
        elif name in SEMANTIC_VARIABLES and (reason := _colour_problem(value)):
            problems.append(f"variable '{name}' {reason}")
        else:
            variables[name] = value
    return variables


def _colour_problem(value: object, allow_alpha_suffix: bool = True) -> str | None:
    """None when `value` is a colour Textual understands ("#RRGGBB", "ansi_red", "red 50%")."""
    if not isinstance(value, str):
        return f"must be a colour string, not {value!r}"
    colour, _, alpha = value.strip().rpartition(" ")
    if not (allow_alpha_suffix and colour and alpha.endswith("%")):
        colour, alpha = value.strip(), ""
    try:
        Color.parse(colour)
        if alpha and not 0 <= float(alpha[:-1]) <= 100:
            raise ValueError(alpha)
    except (ColorParseError, ValueError):
        return f'is not a colour Textual understands ("#3FB950", "ansi_green"): {value!r}'
    return None


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


# ---------------------------------------------------------------- registering with the app


def complete_variables(theme: Theme) -> Theme:
    """The theme with every semantic variable set, deriving missing ones from its colours."""
    missing = [name for name in SEMANTIC_VARIABLES if name not in theme.variables]
    if not missing:
        return theme
    system = theme.to_color_system().generate()
    derived: dict[str, str] = {}
    for name in missing:
        sources = _DERIVED_FROM.get(name, ())
        value = next((system[s] for s in sources if s in system), None)
        derived[name] = value if value is not None else THEME_VARIABLE_DEFAULTS[name]
    if "prod-banner-text" in derived:
        derived["prod-banner-text"] = _contrast_text(theme.variables.get("prod-banner", derived.get("prod-banner", "")))
    return replace(theme, variables={**derived, **theme.variables})


def _contrast_text(background: str) -> str:
    try:
        return Color.parse(background).get_contrast_text(1.0).hex
    except ColorParseError:
        return THEME_VARIABLE_DEFAULTS["prod-banner-text"]


def register_all(app: _ThemeHost, themes: ThemeSet | Iterable[Theme]) -> None:
    """Register our themes with `app` and give every theme it knows our semantic variables.

    Textual's built-in themes (reachable from the command palette) are re-registered with the
    variables derived from their own colours, so `$status-crit` is red-ish in "nord" too.
    Call before the first screen is composed; pair it with
    `get_theme_variable_defaults()` returning `THEME_VARIABLE_DEFAULTS`.
    """
    ours = themes.themes.values() if isinstance(themes, ThemeSet) else themes
    for theme in ours:
        app.register_theme(complete_variables(theme))
    for theme in list(app.available_themes.values()):
        completed = complete_variables(theme)
        if completed is not theme:
            app.register_theme(completed)
