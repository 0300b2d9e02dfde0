"""The `/` filter: a case-insensitive regex over name, runtime, region and tags (pure).

A leading `!` keeps the functions that do NOT match. Text that is not a valid regex is matched
as a plain substring instead, and `note` says so, so the user is never silently shown nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lambdatop.model.snapshot import FunctionRow


@dataclass(frozen=True, slots=True)
class FleetFilter:
    text: str = ""
    inverted: bool = False
    pattern: re.Pattern[str] | None = None
    substring: str = ""
    note: str | None = None  # why the text is used as a substring, when it is

    @property
    def active(self) -> bool:
        return bool(self.pattern is not None or self.substring)

    def matches(self, row: FunctionRow) -> bool:
        if not self.active:
            return True
        found = any(self._search(field) for field in _haystack(row))
        return found != self.inverted

    def _search(self, field: str) -> bool:
        if self.pattern is not None:
            return self.pattern.search(field) is not None
        return self.substring in field.lower()

    def describe(self) -> str:
        """A short label for the status line: `/pay` or `!/pay` (inverted)."""
        if not self.active:
            return ""
        return f"{'!' if self.inverted else ''}/{self.substring or self.text}"


def parse_filter(text: str) -> FleetFilter:
    """Build a filter from what the user typed; '' (or a bare `!`) filters nothing."""
    inverted = text.startswith("!")
    body = text[1:] if inverted else text
    if not body:
        return FleetFilter(text=text)
    try:
        pattern = re.compile(body, re.IGNORECASE)
    except re.error as exc:
        return FleetFilter(
            text=text,
            inverted=inverted,
            substring=body.lower(),
            note=f"not a valid regex ({exc.msg}); matching it as plain text",
        )
    return FleetFilter(text=text, inverted=inverted, pattern=pattern)


def _haystack(row: FunctionRow) -> list[str]:
    fields = [row.name, row.region]
    if row.runtime:
        fields.append(row.runtime)
    fields.extend(f"{key}={value}" for key, value in row.tags.items())
    return fields
