"""Settings: flags > environment > config file > defaults, with checked config keys."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from lambdatop.settings import (
    _FLAGS,
    EXAMPLE_CONFIG,
    PRECEDENCE_DOC,
    ConfigError,
    Settings,
    check_keymap,
    load_settings,
    parse_refresh,
    parse_window,
)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return tmp_path / "config.toml"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- precedence


def test_no_flags_no_env_no_file_gives_defaults(config: Path) -> None:
    assert load_settings({}, env={}, config_path=config) == Settings()


def test_config_file_is_found_in_the_xdg_config_dir(tmp_path: Path) -> None:
    write_dir = tmp_path / "cfg" / "lambdatop"
    write_dir.mkdir(parents=True)
    write(write_dir / "config.toml", 'theme = "light"\n')

    settings = load_settings({}, env={"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")})

    assert settings.theme == "light"


@pytest.mark.parametrize(
    ("file_line", "env_var", "env_value", "flag", "flag_value", "field", "expected"),
    [
        ('window = "1h"', "LAMBDATOP_WINDOW", "5m", "window_minutes", 180, "window_minutes", (60, 5, 180)),
        ("refresh = 120", "LAMBDATOP_REFRESH", "30s", "refresh_s", 10, "refresh_s", (120, 30, 10)),
        (
            'theme = "light"',
            "LAMBDATOP_THEME",
            "ansi",
            "theme",
            "high-contrast",
            "theme",
            ("light", "ansi", "high-contrast"),
        ),
    ],
)
def test_each_level_overrides_the_one_below(
    config: Path,
    file_line: str,
    env_var: str,
    env_value: str,
    flag: str,
    flag_value: object,
    field: str,
    expected: tuple[object, object, object],
) -> None:
    default = getattr(Settings(), field)
    from_file, from_env, from_flag = expected
    assert getattr(load_settings({}, env={}, config_path=config), field) == default

    write(config, file_line + "\n")
    assert getattr(load_settings({}, env={}, config_path=config), field) == from_file

    env = {env_var: env_value}
    assert getattr(load_settings({}, env=env, config_path=config), field) == from_env

    settings = load_settings({flag: flag_value}, env=env, config_path=config)
    assert getattr(settings, field) == from_flag


def test_profile_section_overrides_top_level_only_for_the_active_profile(config: Path) -> None:
    write(
        config,
        """
theme = "light"
regions = ["eu-west-1"]

[profiles.prod]
theme = "high-contrast"
regions = ["us-east-1", "us-west-2"]
""",
    )

    prod = load_settings({"profile": "prod"}, env={}, config_path=config)
    dev = load_settings({"profile": "dev"}, env={}, config_path=config)

    assert (prod.theme, prod.regions) == ("high-contrast", ("us-east-1", "us-west-2"))
    assert (dev.theme, dev.regions) == ("light", ("eu-west-1",))


def test_profile_flag_beats_aws_profile_variables(config: Path) -> None:
    write(config, '[profiles.prod]\ntheme = "light"\n[profiles.dev]\ntheme = "ansi"\n')
    env = {"AWS_PROFILE": "prod"}

    from_env = load_settings({}, env=env, config_path=config)
    from_flag = load_settings({"profile": "dev"}, env=env, config_path=config)

    assert (from_env.profile, from_env.theme) == ("prod", "light")
    assert (from_flag.profile, from_flag.theme) == ("dev", "ansi")


def test_aws_default_profile_wins_over_aws_profile_as_in_botocore(config: Path) -> None:
    env = {"AWS_PROFILE": "dev", "AWS_DEFAULT_PROFILE": "prod"}

    assert load_settings({}, env=env, config_path=config).profile == "prod"


def test_default_profile_section_applies_when_no_profile_is_named(config: Path) -> None:
    write(config, '[profiles.default]\ntheme = "light"\n')

    settings = load_settings({}, env={}, config_path=config)

    assert settings.theme == "light"
    assert settings.profile is None  # the AWS layer still resolves the default chain itself


def test_aws_region_variables_are_left_to_the_aws_layer(config: Path) -> None:
    env = {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-2"}

    assert load_settings({}, env=env, config_path=config).regions == ()


def test_flags_given_as_none_count_as_not_given(config: Path) -> None:
    env = {"AWS_PROFILE": "prod", "LAMBDATOP_THEME": "light"}

    settings = load_settings({"profile": None, "theme": None}, env=env, config_path=config)

    assert (settings.profile, settings.theme) == ("prod", "light")


# ---------------------------------------------------------------- production profile, read-only


PROD_CONFIG = """
[profiles.prod]
read_only = true
prod = true
"""


def test_prod_profile_is_read_only_and_loud(config: Path) -> None:
    write(config, PROD_CONFIG)

    prod = load_settings({}, env={"AWS_PROFILE": "prod"}, config_path=config)
    other = load_settings({"profile": "staging"}, env={}, config_path=config)

    assert (prod.read_only, prod.prod) == (True, True)
    assert (other.read_only, other.prod) == (False, False)


def test_environment_cannot_lift_a_read_only_profile(config: Path) -> None:
    write(config, PROD_CONFIG)

    settings = load_settings({"profile": "prod"}, env={"LAMBDATOP_READ_ONLY": "0"}, config_path=config)

    assert settings.read_only is True


def test_explicit_read_write_flag_lifts_a_read_only_profile(config: Path) -> None:
    write(config, PROD_CONFIG)

    settings = load_settings({"profile": "prod", "read_only": False}, env={}, config_path=config)

    assert settings.read_only is False
    assert settings.prod is True  # still shouted about


def test_read_only_from_environment_or_flag_adds_a_restriction(config: Path) -> None:
    from_env = load_settings({}, env={"LAMBDATOP_READ_ONLY": "yes"}, config_path=config)
    from_flag = load_settings({"read_only": True}, env={}, config_path=config)

    assert from_env.read_only is True
    assert from_flag.read_only is True


# ---------------------------------------------------------------- NO_COLOR


def test_no_color_selects_the_ansi_theme_over_the_config_file(config: Path) -> None:
    write(config, 'theme = "light"\n')

    settings = load_settings({}, env={"NO_COLOR": "1"}, config_path=config)

    assert (settings.theme, settings.no_color) == ("ansi", True)


def test_explicit_theme_choices_beat_no_color(config: Path) -> None:
    env = {"NO_COLOR": "1", "LAMBDATOP_THEME": "light"}

    assert load_settings({}, env=env, config_path=config).theme == "light"
    assert load_settings({"theme": "dark"}, env=env, config_path=config).theme == "dark"
    assert load_settings({"theme": "dark"}, env=env, config_path=config).no_color is True


def test_empty_no_color_is_ignored(config: Path) -> None:
    settings = load_settings({}, env={"NO_COLOR": ""}, config_path=config)

    assert (settings.theme, settings.no_color) == ("dark", False)


# ---------------------------------------------------------------- demo, cost, keymap


def test_demo_section_applies_only_with_demo_and_ignores_aws_profile(config: Path) -> None:
    write(config, "refresh = 60\n[demo]\nrefresh = 5\n[profiles.prod]\nread_only = true\n")
    env = {"AWS_PROFILE": "prod"}

    demo = load_settings({"demo": True, "seed": 7}, env=env, config_path=config)
    live = load_settings({}, env=env, config_path=config)

    assert (demo.refresh_s, demo.profile, demo.read_only, demo.seed) == (5, None, False, 7)
    assert (live.refresh_s, live.profile, live.read_only) == (60, "prod", True)


def test_cost_budget_is_read(config: Path) -> None:
    write(config, "[cost]\nbudget_usd_per_hour = 1\n")

    assert load_settings({}, env={}, config_path=config).budget_usd_per_hour == 1.0


def test_keymap_accepts_quoted_and_dotted_ids_and_key_lists(config: Path) -> None:
    write(
        config,
        """
[keymap]
"fleet.filter" = "/"
app.help = ["?", "f1"]
"fleet.set-reserved" = "c, ctrl+r"
""",
    )

    keymap = load_settings({}, env={}, config_path=config).keymap

    assert keymap == {"fleet.filter": "/", "app.help": "?,f1", "fleet.set-reserved": "c,ctrl+r"}


def test_keymap_with_a_non_string_key_is_an_error(config: Path) -> None:
    write(config, '[keymap]\n"fleet.filter" = 3\n')

    with pytest.raises(ConfigError, match=r'\[keymap\] "fleet.filter" must be a key'):
        load_settings({}, env={}, config_path=config)


def test_unknown_binding_ids_get_a_suggestion() -> None:
    problems = check_keymap({"fleet.filtr": "/", "app.help": "?"}, ["fleet.filter", "app.help"])

    assert problems == ["[keymap] unknown binding id 'fleet.filtr'; did you mean 'fleet.filter'?"]


def test_example_config_is_valid(config: Path) -> None:
    write(config, EXAMPLE_CONFIG)

    prod = load_settings({"profile": "prod"}, env={}, config_path=config)

    assert (prod.read_only, prod.prod, prod.theme) == (True, True, "high-contrast")
    assert prod.keymap["app.help"] == "?,f1"


# ---------------------------------------------------------------- mistakes


def test_typo_in_profile_section_suggests_the_right_key(config: Path) -> None:
    write(config, "[profiles.prod]\nred_only = true\n")

    with pytest.raises(ConfigError) as caught:
        load_settings({}, env={}, config_path=config)

    message = str(caught.value)
    assert str(config) in message
    assert "[profiles.prod]" in message
    assert "did you mean 'read_only'?" in message


def test_typo_in_a_table_name_suggests_the_table(config: Path) -> None:
    write(config, "[profile.prod]\nread_only = true\n")

    with pytest.raises(ConfigError, match="did you mean 'profiles'"):
        load_settings({}, env={}, config_path=config)


def test_every_problem_in_the_file_is_reported_at_once(config: Path) -> None:
    write(config, 'thme = "x"\nread_only = "yes"\nwindow = 0\n[cost]\nbudget = 1\n')

    with pytest.raises(ConfigError) as caught:
        load_settings({}, env={}, config_path=config)

    problems = caught.value.problems
    assert len(problems) == 4
    assert all(problem.startswith(f"{config}: ") for problem in problems)
    joined = "\n".join(problems)
    assert "did you mean 'theme'" in joined
    assert "'read_only' at the top level must be true or false, not the string \"yes\"" in joined
    assert "'window' at the top level cannot be used: window 0 is out of range" in joined
    assert "did you mean 'budget_usd_per_hour'" in joined


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('regions = ["eu-west1"]', "not a region name"),
        ("regions = 3", "must be a list of region names"),
        ("animations = 1", "must be true or false"),
        ('refresh = "soon"', "must be a duration"),
        ("[profiles]\nprod = 1", "must be a table"),
        ("[cost]\nbudget_usd_per_hour = -2", "positive number"),
    ],
)
def test_wrong_types_are_errors(config: Path, text: str, fragment: str) -> None:
    write(config, text + "\n")

    with pytest.raises(ConfigError, match=fragment):
        load_settings({}, env={}, config_path=config)


def test_invalid_toml_names_the_file(config: Path) -> None:
    write(config, "theme = \n")

    with pytest.raises(ConfigError, match="not valid TOML") as caught:
        load_settings({}, env={}, config_path=config)
    assert str(config) in str(caught.value)


def test_unreadable_config_is_an_error_not_a_crash(tmp_path: Path) -> None:
    directory = tmp_path / "config.toml"
    directory.mkdir()

    with pytest.raises(ConfigError, match="cannot read"):
        load_settings({}, env={}, config_path=directory)


def test_bad_environment_value_names_the_variable(config: Path) -> None:
    with pytest.raises(ConfigError, match="LAMBDATOP_WINDOW cannot be used: window 'forever' is not a duration"):
        load_settings({}, env={"LAMBDATOP_WINDOW": "forever"}, config_path=config)
    with pytest.raises(ConfigError, match="LAMBDATOP_READ_ONLY must be 1/true"):
        load_settings({}, env={"LAMBDATOP_READ_ONLY": "maybe"}, config_path=config)


def test_bad_flag_value_names_the_flag(config: Path) -> None:
    with pytest.raises(ConfigError, match="--format must be one of table, json, csv"):
        load_settings({"output_format": "xml"}, env={}, config_path=config)
    with pytest.raises(ConfigError, match="--endpoint-url must be an http"):
        load_settings({"endpoint_url": "localhost:5000"}, env={}, config_path=config)


def test_unknown_flag_name_is_a_wiring_bug(config: Path) -> None:
    with pytest.raises(ValueError, match="did you mean 'window_minutes'"):
        load_settings({"window_minute": 5}, env={}, config_path=config)


def test_every_settings_field_can_be_given_as_a_flag() -> None:
    # given_flags is not a setting: it is the record of the flags themselves (for `:profile`).
    assert set(_FLAGS) == {f.name for f in fields(Settings)} - {"given_flags"}


def test_flags_accept_the_cli_spellings(config: Path) -> None:
    settings = load_settings(
        {"window_minutes": "3h", "refresh_s": "2m", "regions": "eu-west-1,us-east-1,eu-west-1"},
        env={},
        config_path=config,
    )

    assert (settings.window_minutes, settings.refresh_s) == (180, 120)
    assert settings.regions == ("eu-west-1", "us-east-1")


@pytest.mark.parametrize(("text", "minutes"), [("5m", 5), ("15", 15), ("1h", 60), ("3h", 180), ("1d", 1440), (60, 60)])
def test_window_spellings(text: object, minutes: int) -> None:
    assert parse_window(text) == minutes


@pytest.mark.parametrize("text", ["0m", "90s", "2d", "-5m", "1.5h", True, 1.5])
def test_window_rejects_what_metrics_cannot_serve(text: object) -> None:
    with pytest.raises(ValueError, match=r"cannot be used|must be a duration"):
        parse_window(text)


def test_refresh_spellings() -> None:
    assert [parse_refresh(v) for v in (60, "60", "30s", "2m")] == [60, 60, 30, 120]


def test_precedence_doc_names_every_environment_variable_read() -> None:
    for variable in (
        "LAMBDATOP_WINDOW",
        "LAMBDATOP_REFRESH",
        "LAMBDATOP_THEME",
        "LAMBDATOP_READ_ONLY",
        "NO_COLOR",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
    ):
        assert variable in PRECEDENCE_DOC


def test_control_plane_share_is_read_from_aws_and_bounded(config: Path) -> None:
    assert load_settings({}, env={}, config_path=config).control_plane_rps == 3.0
    write(config, "[aws]\ncontrol_plane_rps = 1.5\ncontrol_plane_burst = 3\nget_function_rps = 10\n")
    settings = load_settings({}, env={}, config_path=config)
    assert (settings.control_plane_rps, settings.control_plane_burst, settings.get_function_rps) == (1.5, 3, 10.0)
    write(config, "[aws]\ncontrol_plane_rps = 15\n")
    with pytest.raises(ConfigError, match=r"control_plane_rps' in \[aws\] must be .* at most 10"):
        load_settings({}, env={}, config_path=config)
    write(config, "[aws]\ncontrol_plane_rsp = 2\n")
    with pytest.raises(ConfigError, match="did you mean 'control_plane_rps'"):
        load_settings({}, env={}, config_path=config)
