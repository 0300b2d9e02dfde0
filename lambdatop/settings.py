"""Resolved settings: flags > environment > config file > defaults.

`load_settings()` is the only entry point. The config file is TOML (read with `tomllib`) at
`paths.config_file()`; every key is checked, and a typo fails with the file path and a
did-you-mean suggestion instead of being silently ignored. See `PRECEDENCE_DOC` for the rules,
written for the README.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, cast

from lambdatop import paths

OutputFormat = Literal["table", "json", "csv"]
WINDOW_CHOICES_MIN: tuple[int, ...] = (5, 15, 60, 180)
OUTPUT_FORMATS: tuple[str, ...] = ("table", "json", "csv")
MAX_REFRESH_S = 3600


@dataclass(frozen=True, slots=True)
class Settings:
    profile: str | None = None
    regions: tuple[str, ...] = ()  # empty: the region the AWS chain resolves
    window_minutes: int = 15
    refresh_s: int = 60
    theme: str = "dark"
    read_only: bool = False
    prod: bool = False  # loud production cue in the header
    demo: bool = False
    seed: int | None = None
    once: bool = False
    output_format: OutputFormat = "table"
    endpoint_url: str | None = None
    keymap: Mapping[str, str] = field(default_factory=dict)  # binding id -> keys
    animations: bool = False
    budget_usd_per_hour: float | None = None
    # Logs Insights queries in flight at once per Region (the account's slots are shared).
    logs_max_concurrent_queries: int = 4
    # [aws]: the share of Lambda's control plane lambdatop's background reads may use.
    control_plane_rps: float = 3.0
    control_plane_burst: int = 5
    get_function_rps: float = 20.0
    # NO_COLOR was set (non-empty): emit no colour, whatever theme is active.
    no_color: bool = False
    # refresh_s came from a flag, the environment or the config file (the demo's own fast
    # cadence applies only when the user asked for none).
    refresh_given: bool = False
    # The flags this run started with: `:profile` / `:region` re-resolve the settings of the new
    # view from them, so that profile's own section (read_only, prod, theme…) applies.
    given_flags: Mapping[str, object] = field(default_factory=dict)


PRECEDENCE_DOC = """\
### Where settings come from

Each setting takes the first value found, left to right: flag, environment, config file, default.

| setting | flag | environment | config file | default |
|---|---|---|---|---|
| profile | `--profile` | `AWS_DEFAULT_PROFILE`, `AWS_PROFILE` | — | AWS default chain |
| regions | `--region a,b` | — ¹ | `regions` ⁵ | AWS chain's region |
| window | `--window 15m` | `LAMBDATOP_WINDOW` | `[demo] window` ², `window` | `15m` |
| refresh | `--refresh 60` | `LAMBDATOP_REFRESH` | `[demo] refresh` ², `refresh` | `60` s |
| theme | `--theme` | `LAMBDATOP_THEME`, `NO_COLOR` ³ | `theme` ⁵ | `dark` |
| read-only ⁴ | `--read-only`, `--read-write` | `LAMBDATOP_READ_ONLY` | `read_only` ⁵ | off |
| production cue | — | — | `prod` ⁵ | off |
| key bindings | — | — | `[keymap]` | built in |
| monitoring budget | — | — | `[cost] budget_usd_per_hour` | none |
| Logs Insights queries at once | — | — | `[logs] max_concurrent_queries` | `4` |
| control-plane share | — | — | `[aws] control_plane_rps`, `…_burst`, `get_function_rps` | 3, 5, 20 rps |
| animations | — | — | `animations` | off |

`<p>` is the active profile: `--profile`, else `AWS_DEFAULT_PROFILE` / `AWS_PROFILE` (in
botocore's order, so it is the profile the AWS session uses), else `default`.

1. `AWS_REGION` / `AWS_DEFAULT_REGION` are honoured by the AWS layer, exactly as the AWS CLI does,
   when neither `--region` nor the config file names regions.
2. Only with `--demo`. The demo runs against its own fake account, so the AWS profile variables
   and `[profiles.*]` are ignored and `[demo]` applies instead.
3. `NO_COLOR` (set and not empty) selects the `ansi` theme, which uses the terminal's own
   palette, and Textual strips every colour from the screen. It beats the config file's theme
   (which could only show in grey) but not `LAMBDATOP_THEME` or `--theme`.
4. **Read-only only ever adds up.** A config file or profile that says `read_only = true` stays
   read-only whatever the environment says; only `--read-write` on the command line lifts it,
   for that run. `--read-only` always wins.
5. The active profile's section, `[profiles.<p>]`, first; then the top level (`prod` exists only
   in profile sections).

Unknown keys and wrong types in the config file are errors that name the file and suggest the
key you probably meant. `lambdatop --print-paths` shows where the config file lives.
"""

EXAMPLE_CONFIG = """\
# ~/.config/lambdatop/config.toml  (lambdatop --print-paths shows the real location)
window = "15m"          # 5m, 15m, 1h, 3h ... or whole minutes
refresh = 60            # seconds, or "30s", "2m"
theme = "dark"          # dark, light, high-contrast, ansi, or a file in <config dir>/themes/
read_only = false
regions = ["eu-west-1", "us-east-1"]
animations = false

[profiles.prod]         # applies with --profile prod or AWS_PROFILE=prod
read_only = true        # only --read-write lifts it, for one run
prod = true             # loud red banner
theme = "high-contrast"

[keymap]                # binding id = key(s); see ? in the app for the ids
"fleet.filter" = "/"
"app.help" = ["?", "f1"]

[cost]
budget_usd_per_hour = 0.50   # slow the fleet tier before monitoring costs more

[logs]
max_concurrent_queries = 4   # Logs Insights queries in flight per Region
[aws]                   # how much of Lambda's control plane the background reads may use
control_plane_rps = 3.0      # of the account's shared 15 rps pool (at most 10)
control_plane_burst = 5
get_function_rps = 20.0      # GetFunction's own 100 rps pool (at most 50)

[demo]
refresh = 5
"""

# ---------------------------------------------------------------- errors and value parsers


class ConfigError(Exception):
    """A setting could not be used. `problems` lists each one, already phrased for the user."""

    def __init__(self, message: str, problems: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.problems: tuple[str, ...] = tuple(problems) if problems else (message,)


class _Invalid(ValueError):
    """A value was rejected; the text says what was expected."""


Parser = Callable[[object], object]

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_BINDING_ID = re.compile(r"^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$")
_NAME = re.compile(r"^\S+$")


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'the string "{value}"'
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def parse_window(value: object) -> int:
    """A window in whole minutes: an integer (minutes) or "5m", "1h", "1h30m", "1d".

    The grammar is `lambdatop.model.window`'s, so flags, environment, config file and the
    `:window` command all accept the same spellings.
    """
    from lambdatop.model.window import parse_window as parse  # it imports this module

    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _Invalid(f'must be a duration such as "15m" or "1h", not {_describe(value)}')
    try:
        return parse(value)
    except ValueError as exc:
        raise _Invalid(f"cannot be used: {exc}") from None


def parse_refresh(value: object) -> int:
    """A refresh interval in seconds: an integer (seconds) or "30s", "2m"."""
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        seconds = int(match.group(1)) * _UNIT_S[match.group(2) or "s"]
    else:
        raise _Invalid(f'must be a duration such as "30s" or "2m", not {_describe(value)}')
    if not 1 <= seconds <= MAX_REFRESH_S:
        raise _Invalid(f"must be between 1s and {MAX_REFRESH_S // 60}m")
    return seconds


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    raise _Invalid(f"must be true or false, not {_describe(value)}")


def _name(value: object) -> str:
    if isinstance(value, str) and _NAME.match(value):
        return value
    raise _Invalid(f"must be a non-empty name without spaces, not {_describe(value)}")


def _regions(value: object) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(r, str) for r in items):
        raise _Invalid(f'must be a list of region names such as ["eu-west-1"], not {value!r}')
    regions = tuple(dict.fromkeys(r.strip() for r in items if r.strip()))  # dedupe, keep order
    bad = [r for r in regions if not _REGION.match(r)]
    if bad:
        raise _Invalid(f"has {', '.join(map(repr, bad))}, which is not a region name like eu-west-1")
    return regions


def parse_regions(text: str) -> tuple[str, ...]:
    """`eu-west-1,us-east-1` as typed on `:region`; ValueError with a sentence otherwise."""
    try:
        regions = _regions(text)
    except _Invalid as exc:
        raise ValueError(f"region {exc}") from None
    if not regions:
        raise ValueError("region needs a name such as eu-west-1")
    return regions


def _budget(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    raise _Invalid(f"must be a positive number of US dollars, not {_describe(value)}")


def _query_slots(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 30:
        return value
    raise _Invalid(f"must be a whole number from 1 to 30 (the account's slots are shared), not {_describe(value)}")


def _rate(limit: float) -> Parser:
    def parse(value: object) -> float:
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= limit:
            return float(value)
        raise _Invalid(f"must be a number of requests per second above 0 and at most {limit:g}, not {_describe(value)}")

    return parse


def _burst(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 15:
        return value
    raise _Invalid(f"must be a whole number of requests from 1 to 15, not {_describe(value)}")


def _seed(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise _Invalid(f"must be a non-negative integer, not {_describe(value)}")


def _output_format(value: object) -> str:
    if isinstance(value, str) and value in OUTPUT_FORMATS:
        return value
    raise _Invalid(f"must be one of {', '.join(OUTPUT_FORMATS)}, not {_describe(value)}")


def _endpoint_url(value: object) -> str:
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return value
    raise _Invalid(f"must be an http:// or https:// URL, not {_describe(value)}")


def _keys(value: object) -> str:
    """A Textual key string: "/" or "ctrl+f,slash"; a TOML list is joined with commas."""
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(item, str) for item in items):
        raise _Invalid(f'must be a key such as "/" or "ctrl+f", not {_describe(value)}')
    keys = [key.strip() for item in items for key in cast(str, item).split(",")]
    if not all(keys):
        raise _Invalid(f"has an empty key in {value!r}")
    return ",".join(keys)


def _keymap(value: object, prefix: str = "") -> dict[str, str]:
    """Binding id -> keys. Unquoted TOML keys (`fleet.filter = "/"`) arrive as nested
    tables, quoted ones (`"fleet.filter" = "/"`) as one key; both mean the same id."""
    if not isinstance(value, Mapping):
        raise _Invalid(f"must be a table of binding id = key, not {_describe(value)}")
    keymap: dict[str, str] = {}
    for key, keys in value.items():
        binding_id = f"{prefix}{key}"
        if isinstance(keys, Mapping):
            keymap.update(_keymap(keys, f"{binding_id}."))
            continue
        if not _BINDING_ID.match(binding_id):
            raise _Invalid(f'has {binding_id!r}, which is not a binding id like "fleet.filter"')
        try:
            keymap[binding_id] = _keys(keys)
        except _Invalid as exc:
            raise _Invalid(f'"{binding_id}" {exc}') from None
    return keymap


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """A suggestion suffix: "; did you mean 'x'?" or the list of valid choices."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    # A shortened key ("budget" for "budget_usd_per_hour") is too far for difflib alone.
    close = close or [c for c in choices if len(word) >= 3 and c.startswith(word)][:1]
    if close:
        return f"; did you mean '{close[0]}'?"
    return f" (expected one of: {', '.join(sorted(choices))})"


def check_keymap(keymap: Mapping[str, str], known_ids: Sequence[str]) -> list[str]:
    """Problems with binding ids the app does not have; the app shows them once."""
    return [
        f"[keymap] unknown binding id '{binding_id}'{did_you_mean(binding_id, known_ids)}"
        for binding_id in keymap
        if binding_id not in known_ids
    ]


# ---------------------------------------------------------------- the config file

# Config key -> (Settings field, parser), per section.
Section = Mapping[str, tuple[str, Parser]]
_TOP_LEVEL: Section = {
    "window": ("window_minutes", parse_window),
    "refresh": ("refresh_s", parse_refresh),
    "theme": ("theme", _name),
    "read_only": ("read_only", _bool),
    "regions": ("regions", _regions),
    "animations": ("animations", _bool),
}
_PROFILE: Section = {
    "theme": ("theme", _name),
    "read_only": ("read_only", _bool),
    "regions": ("regions", _regions),
    "prod": ("prod", _bool),
}
_COST: Section = {"budget_usd_per_hour": ("budget_usd_per_hour", _budget)}
_LOGS: Section = {"max_concurrent_queries": ("logs_max_concurrent_queries", _query_slots)}
_DEMO: Section = {
    "window": ("window_minutes", parse_window),
    "refresh": ("refresh_s", parse_refresh),
}
# Lambda's shared pool is 15 rps per account and Region, GetFunction's 100 rps: never all of it.
_AWS: Section = {
    "control_plane_rps": ("control_plane_rps", _rate(10.0)),
    "control_plane_burst": ("control_plane_burst", _burst),
    "get_function_rps": ("get_function_rps", _rate(50.0)),
}
_TABLES = ("keymap", "profiles", "cost", "logs", "demo", "aws")


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """The checked contents of config.toml, as Settings field values per layer."""

    path: Path | None = None
    top: Mapping[str, object] = field(default_factory=dict)
    profiles: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    demo: Mapping[str, object] = field(default_factory=dict)

    def layer(self, profile: str | None, demo: bool) -> dict[str, object]:
        """The file's values for this run: the top level, overlaid by the active section."""
        overlay = self.demo if demo else self.profiles.get(profile or "default", {})
        return {**self.top, **overlay}


def read_config(path: Path) -> ConfigFile:
    """Read and check a config file; a missing file is an empty config."""
    try:
        with path.open("rb") as stream:
            data = tomllib.load(stream)
    except FileNotFoundError:
        return ConfigFile(path=path)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {exc.start} is 0x{exc.object[exc.start]:02x}); "
            "TOML files must be saved as UTF-8"
        ) from None
    except RecursionError:
        raise ConfigError(f"{path}: nested too deeply to read (arrays or tables inside one another)") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror or exc}") from None
    problems: list[str] = []
    config = _check_config(data, path, problems)
    if problems:
        lines = [f"{path}: {problem}" for problem in problems]
        raise ConfigError("\n".join(lines), lines)
    return config


def _check_config(data: Mapping[str, object], path: Path, problems: list[str]) -> ConfigFile:
    top = _check_section(data, _TOP_LEVEL, "at the top level", problems, tables=_TABLES)
    if "keymap" in data:
        _parse_into(top, "keymap", _keymap, data["keymap"], "[keymap]", problems)
    cost = _table(data, "cost", problems)
    top.update(_check_section(cost, _COST, "in [cost]", problems))
    top.update(_check_section(_table(data, "logs", problems), _LOGS, "in [logs]", problems))
    top.update(_check_section(_table(data, "aws", problems), _AWS, "in [aws]", problems))
    demo = _check_section(_table(data, "demo", problems), _DEMO, "in [demo]", problems)
    profiles: dict[str, dict[str, object]] = {}
    for name, section in _table(data, "profiles", problems).items():
        where = f"[profiles.{name}]"
        if not isinstance(section, Mapping):
            problems.append(f"{where} must be a table such as [profiles.{name}], not a value")
            continue
        profiles[name] = _check_section(section, _PROFILE, f"in {where}", problems)
    return ConfigFile(path=path, top=top, profiles=profiles, demo=demo)


def _table(data: Mapping[str, object], name: str, problems: list[str]) -> Mapping[str, object]:
    value = data.get(name, {})
    if isinstance(value, Mapping):
        return value
    problems.append(f"'{name}' must be a table ([{name}]), not {_describe(value)}")
    return {}


def _check_section(
    data: Mapping[str, object],
    section: Section,
    where: str,
    problems: list[str],
    tables: Sequence[str] = (),
) -> dict[str, object]:
    values: dict[str, object] = {}
    for key, value in data.items():
        if key in tables:
            continue
        if key not in section:
            hint = did_you_mean(key, [*section, *tables])
            problems.append(f"unknown key '{key}' {where}{hint}")
            continue
        setting, parser = section[key]
        label = f"'{key}' {where}"
        _parse_into(values, setting, parser, value, label, problems)
    return values


def _parse_into(
    values: dict[str, object],
    setting: str,
    parser: Parser,
    raw: object,
    label: str,
    problems: list[str],
) -> None:
    try:
        values[setting] = parser(raw)
    except _Invalid as exc:
        problems.append(f"{label} {exc}")


# ---------------------------------------------------------------- environment and flags

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})

_FLAGS: Mapping[str, tuple[str, Parser]] = {
    "profile": ("--profile", _name),
    "regions": ("--region", _regions),
    "window_minutes": ("--window", parse_window),
    "refresh_s": ("--refresh", parse_refresh),
    "theme": ("--theme", _name),
    "read_only": ("--read-only", _bool),
    "prod": ("prod", _bool),
    "demo": ("--demo", _bool),
    "seed": ("--seed", _seed),
    "once": ("--once", _bool),
    "output_format": ("--format", _output_format),
    "endpoint_url": ("--endpoint-url", _endpoint_url),
    "keymap": ("keymap", _keymap),
    "animations": ("animations", _bool),
    "budget_usd_per_hour": ("budget", _budget),
    "logs_max_concurrent_queries": ("max_concurrent_queries", _query_slots),
    "no_color": ("no_color", _bool),
    "refresh_given": ("refresh_given", _bool),
    "control_plane_rps": ("control_plane_rps", _rate(10.0)),
    "control_plane_burst": ("control_plane_burst", _burst),
    "get_function_rps": ("get_function_rps", _rate(50.0)),
}


def _env_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in _TRUE | _FALSE:
        return lowered in _TRUE
    raise _Invalid(f'must be 1/true/yes/on or 0/false/no/off, not "{raw}"')


def _env_layer(env: Mapping[str, str], problems: list[str]) -> dict[str, object]:
    values: dict[str, object] = {}
    readers: tuple[tuple[str, str, Callable[[str], object]], ...] = (
        ("LAMBDATOP_WINDOW", "window_minutes", parse_window),
        ("LAMBDATOP_REFRESH", "refresh_s", parse_refresh),
        ("LAMBDATOP_THEME", "theme", _name),
        ("LAMBDATOP_READ_ONLY", "read_only", _env_bool),
    )
    for variable, setting, parser in readers:
        raw = env.get(variable)
        if raw is None or (raw == "" and variable != "LAMBDATOP_READ_ONLY"):
            continue
        try:
            values[setting] = parser(raw)
        except _Invalid as exc:
            problems.append(f"{variable} {exc}")
    if env.get("NO_COLOR"):  # no-color.org: set and not empty
        values["no_color"] = True
        values.setdefault("theme", "ansi")
    return values


def _profile_from_env(env: Mapping[str, str]) -> str | None:
    # botocore's order, so the section we apply is the profile the AWS session will use.
    return env.get("AWS_DEFAULT_PROFILE") or env.get("AWS_PROFILE") or None


def _flag_layer(flags: Mapping[str, object], problems: list[str]) -> dict[str, object]:
    known = {f.name for f in fields(Settings)}
    values: dict[str, object] = {}
    for name, raw in flags.items():
        if name not in known:
            # A wiring bug in the CLI, not a user mistake.
            raise ValueError(f"unknown settings field {name!r}{did_you_mean(name, sorted(known))}")
        if raw is None:  # an option left at its argparse default: not given
            continue
        label, parser = _FLAGS[name]
        _parse_into(values, name, parser, raw, label, problems)
    return values


# ---------------------------------------------------------------- resolution


def load_settings(
    flags: Mapping[str, object],
    env: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> Settings:
    """Resolve settings for this run (see PRECEDENCE_DOC).

    `flags` holds only the flags the user actually gave, keyed by Settings field name;
    `read_only: False` in flags means an explicit `--read-write`. Raises ConfigError.
    """
    env = os.environ if env is None else env
    problems: list[str] = []
    flag_values = _flag_layer(flags, problems)
    env_values = _env_layer(env, problems)
    if problems:
        raise ConfigError("\n".join(problems), problems)
    config = read_config(config_path or paths.config_file(env))

    demo = bool(flag_values.get("demo", False))
    profile = cast("str | None", flag_values.get("profile"))
    if profile is None and not demo:  # the demo's fake account has no AWS profile
        profile = _profile_from_env(env)
    file_values = config.layer(profile, demo)

    resolved: dict[str, Any] = {**file_values, **env_values, **flag_values, "profile": profile}
    resolved["refresh_given"] = "refresh_s" in resolved
    resolved["given_flags"] = dict(flags)
    if "read_only" not in flag_values:
        # Restrictions only add up below the command line; only --read-write lifts them.
        resolved["read_only"] = bool(file_values.get("read_only")) or bool(env_values.get("read_only"))
    return replace(Settings(), **resolved)


def view_settings(current: Settings, profile: str | None, regions: tuple[str, ...]) -> Settings:
    """The settings for another account view (`:profile`, `:region`): resolved as at start, from
    the same flags, environment and config file, with the new profile's section applied (a
    profile marked read_only or prod is so however it is reached). Raises ConfigError."""
    flags = dict(current.given_flags)
    if profile is None:
        flags.pop("profile", None)
    else:
        flags["profile"] = profile
    if regions:
        flags["regions"] = tuple(regions)
    else:
        flags.pop("regions", None)
    # The view's own window stays: it is the operator's choice on screen, not a start-up flag.
    return replace(load_settings(flags), window_minutes=current.window_minutes)
