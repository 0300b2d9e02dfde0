"""The `:` command line: parse what was typed into a `Command` (pure).

`region eu-west-1`, `profile prod`, `theme light`, `window 1h`, `filter pay`, `quit`.
Unknown verbs get a did-you-mean message instead of being silently ignored.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

Verb = Literal["region", "profile", "theme", "window", "filter", "quit"]
VERBS: dict[str, str] = {
    "region": "switch to another region (comma-separated for several)",
    "profile": "switch to another AWS profile",
    "theme": "change the colour theme",
    "window": "change the window the numbers cover (5m, 15m, 1h, 3h…)",
    "filter": "filter the fleet (empty clears)",
    "quit": "leave lambdatop",
}
ALIASES: dict[str, Verb] = {"q": "quit", "w": "window", "f": "filter", "t": "theme"}
NEEDS_ARGUMENT = frozenset({"region", "profile", "theme", "window"})


@dataclass(frozen=True, slots=True)
class Command:
    verb: Verb
    argument: str = ""


class CommandError(ValueError):
    """A message for the user: what was wrong and what would work."""


def parse_command(text: str) -> Command:
    words = text.strip().removeprefix(":").strip().split(maxsplit=1)
    if not words:
        raise CommandError("empty command: try " + ", ".join(VERBS))
    word = words[0].lower()
    argument = words[1].strip() if len(words) > 1 else ""
    verb = ALIASES.get(word, word)
    if verb not in VERBS:
        close = difflib.get_close_matches(word, list(VERBS), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "try " + ", ".join(VERBS)
        raise CommandError(f"unknown command '{word}': {hint}")
    if verb in NEEDS_ARGUMENT and not argument:
        raise CommandError(f"'{verb}' needs a value: {VERBS[verb]}")
    return Command(verb, argument)  # type: ignore[arg-type]
