"""The headless core never loads Textual; the UI never reaches for AWS directly."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import lambdatop

PACKAGE = Path(lambdatop.__file__).parent
HEADLESS = [
    "lambdatop.cli",
    "lambdatop.collector",
    "lambdatop.collector.scheduler",
    "lambdatop.collector.region_state",
    "lambdatop.cadence",
    "lambdatop.output",
    "lambdatop.settings",
    "lambdatop.aws.session",
    "lambdatop.aws.inventory",
    "lambdatop.aws.metrics",
    "lambdatop.aws.logs",
    "lambdatop.aws.queues",
    "lambdatop.model.snapshot",
    "lambdatop.model.health",
    "lambdatop.model.sanitize",
    "lambdatop.model.reports",
    "lambdatop.demo.server",
    "lambdatop.demo.seeder",
]


def test_headless_modules_do_not_load_textual() -> None:
    code = (
        "import sys, importlib\n"
        f"for name in {HEADLESS!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual',))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"textual loaded by the headless core: {out.stdout.strip()}"


def test_help_does_not_import_pandas_or_moto() -> None:
    code = (
        "import sys\n"
        "from lambdatop.cli import build_parser\n"
        "build_parser().format_help()\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'moto', 'textual'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_ui_never_imports_aws_code() -> None:
    forbidden = ("lambdatop.aws", "lambdatop.collector", "lambdatop.demo", "aiobotocore", "botocore", "boto3", "moto")
    offenders = {}
    for path in (PACKAGE / "ui").rglob("*.py"):
        bad = {name for name in _imports(path) if name.startswith(forbidden)}
        if bad:
            offenders[str(path.relative_to(PACKAGE))] = sorted(bad)
    assert offenders == {}


def test_aws_code_never_imports_textual_or_rich() -> None:
    offenders = {}
    for folder in ("aws", "model"):
        for path in (PACKAGE / folder).rglob("*.py"):
            bad = {n for n in _imports(path) if n.split(".")[0] in {"textual", "rich"} or n.startswith("lambdatop.ui")}
            if bad:
                offenders[str(path.relative_to(PACKAGE))] = sorted(bad)
    assert offenders == {}
