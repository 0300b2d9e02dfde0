"""Resolved settings: flags > environment > config file > defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

OutputFormat = Literal["table", "json", "csv"]
WINDOW_CHOICES_MIN: tuple[int, ...] = (5, 15, 60, 180)


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
