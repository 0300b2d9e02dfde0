"""The one-line prompt under the table, used by `/` (filter) and `:` (command line)."""

from __future__ import annotations

from typing import ClassVar, Literal

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input

PromptMode = Literal["filter", "command"]

PLACEHOLDERS: dict[PromptMode, str] = {
    "filter": "regex over name, runtime, region, tags; a leading ! inverts; esc clears",
    "command": "region R · profile P · theme NAME · window 15m · filter TEXT; esc cancels",
}


class Prompt(Input):
    """Hidden until opened; posts `Prompt.Closed` when the user submits or cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "cancel",
            "cancel",
            id="prompt.cancel",
            tooltip="close the prompt (in the filter prompt: clear the filter)",
        ),
    ]

    class Closed(Message):
        def __init__(self, mode: PromptMode, value: str, submitted: bool) -> None:
            super().__init__()
            self.mode = mode
            self.value = value
            self.submitted = submitted

    def __init__(self, *, id: str | None = None, blink: bool = False) -> None:
        super().__init__(id=id, compact=True, select_on_focus=False)
        self.mode: PromptMode = "filter"
        # A blinking cursor repaints twice a second: off unless animations are on (SSH bytes).
        self.cursor_blink = blink

    def open(self, mode: PromptMode, value: str = "") -> None:
        self.mode = mode
        self.placeholder = PLACEHOLDERS[mode]
        self.value = value
        self.cursor_position = len(value)
        self.set_class(mode == "command", "-command")
        self.display = True
        # Focus now, not on the next loop turn: keys typed right after `/` (a fast typist,
        # a paste over SSH) are already queued and must land in the prompt, not the table.
        self.screen.set_focus(self)

    def close(self) -> None:
        self.display = False

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.close()
        self.post_message(self.Closed(self.mode, event.value, submitted=True))

    def action_cancel(self) -> None:
        self.close()
        self.post_message(self.Closed(self.mode, self.value, submitted=False))
