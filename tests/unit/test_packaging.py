"""The wheel ships every subpackage and the shipped themes; what the package imports is declared."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

from lambdatop.demo.extra import DEMO_MODULES

ROOT = Path(__file__).resolve().parents[2]


def test_every_subpackage_is_listed_for_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "lambdatop").rglob("__init__.py")}
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages"
    assert "lambdatop.themes" in listed
    assert config["tool"]["setuptools"]["package-dir"]["lambdatop.themes"] == "themes"


def test_shipped_themes_exist() -> None:
    names = {p.stem for p in (ROOT / "themes").glob("*.toml")}
    assert {"dark", "light", "high-contrast", "ansi"} <= names


# Imported by lambdatop but installed by a declared dependency (and pinned by it).
PROVIDED_BY = {"botocore": "aiobotocore", "werkzeug": "moto"}
# Import name -> distribution name, where they differ.
DISTRIBUTION = {"flask_cors": "flask-cors", "aws_xray_sdk": "aws-xray-sdk"}


def _requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower() for requirement in requirements}


def _third_party_imports(paths: list[Path]) -> set[str]:
    names: set[str] = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return {name for name in names if name not in sys.stdlib_module_names and name not in {"lambdatop", "__future__"}}


def test_every_import_of_the_package_is_a_declared_dependency() -> None:
    """A plain install must run the app; the demo's imports come with the demo extra."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    base = _requirement_names(config["project"]["dependencies"])
    demo = base | _requirement_names(config["project"]["optional-dependencies"]["demo"])
    package = ROOT / "lambdatop"
    demo_files = list((package / "demo").rglob("*.py"))
    app_files = [path for path in package.rglob("*.py") if path not in demo_files]

    def undeclared(imports: set[str], declared: set[str]) -> set[str]:
        names = {DISTRIBUTION.get(name, name).lower() for name in imports}
        return {name for name in names if name not in declared and PROVIDED_BY.get(name) not in declared}

    assert undeclared(_third_party_imports(app_files), base) == set(), "add to [project] dependencies"
    assert undeclared(_third_party_imports(demo_files), demo) == set(), "add to the demo extra"


def test_the_demo_extra_brings_every_module_the_demo_checks_for() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    demo = _requirement_names(config["project"]["optional-dependencies"]["demo"])
    moto_extras = next(r for r in config["project"]["optional-dependencies"]["demo"] if r.startswith("moto"))
    declared = demo | {"aws-xray-sdk"} if "xray" in moto_extras else demo
    assert {DISTRIBUTION.get(name, name).lower() for name in DEMO_MODULES} <= declared
    # Plain moto[server] would pull Docker's SDK and much more the demo never uses.
    assert "server" not in moto_extras
    assert "all" not in moto_extras


def test_the_test_extra_includes_the_demo() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "lambdatop[demo]" in config["project"]["optional-dependencies"]["test"]
