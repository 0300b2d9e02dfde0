"""The wheel ships every subpackage and the shipped themes."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_subpackage_is_listed_for_the_wheel() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "lambdatop").rglob("__init__.py")
    }
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages"
    assert "lambdatop.themes" in listed
    assert config["tool"]["setuptools"]["package-dir"]["lambdatop.themes"] == "themes"


def test_shipped_themes_exist() -> None:
    names = {p.stem for p in (ROOT / "themes").glob("*.toml")}
    assert {"dark", "light", "high-contrast", "ansi"} <= names
