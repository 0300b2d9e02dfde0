"""`lambdatop --demo` without the demo extra: one line naming what to install, exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lambdatop.demo.extra import DEMO_MODULES, demo_install_hint, missing_demo_modules

ROOT = Path(__file__).resolve().parents[2]


def _without(modules: tuple[str, ...], argv: list[str]) -> subprocess.CompletedProcess[str]:
    """Run the CLI in a fresh interpreter where `modules` cannot be found (as after a plain install)."""
    code = (
        "import sys\n"
        f"for name in {modules!r}:\n"
        "    sys.modules[name] = None  # find_spec answers None, import raises: as if not installed\n"
        "from lambdatop.cli import main\n"
        f"sys.exit(main({argv!r}))\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)


@pytest.mark.parametrize("argv", [["--demo"], ["--demo", "--once", "--format", "json"]])
def test_demo_without_moto_names_the_extra_in_one_line(argv: list[str]) -> None:
    result = _without(("moto",), argv)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert 'pip install "lambdatop[demo]"' in lines[0]
    assert "moto" in lines[0]
    assert "Traceback" not in result.stderr


def test_each_missing_module_is_named() -> None:
    result = _without(("flask_cors", "aws_xray_sdk"), ["--demo"])
    assert result.returncode == 2
    assert "missing: flask_cors, aws_xray_sdk" in result.stderr


def test_with_the_extra_installed_there_is_nothing_to_say() -> None:
    assert missing_demo_modules() == []
    assert demo_install_hint() is None
    assert missing_demo_modules((*DEMO_MODULES, "lambdatop_no_such_module")) == ["lambdatop_no_such_module"]


def test_without_demo_the_check_is_not_made() -> None:
    result = _without(("moto",), ["--seed", "3"])
    assert result.returncode == 2
    assert "--seed only makes sense with --demo" in result.stderr
    assert "lambdatop[demo]" not in result.stderr
