"""The action journal: append-only JSON lines, fsync'd before every write to AWS and after.

Each action writes two lines sharing an `id`: an `intent` (before the call) and a `result`
(after it, with `outcome` "ok" or "failed" and the error). A crash between the two leaves an
intent without a result; `unfinished()` finds those and the next start says so. Entries
carry what an operator needs to audit and undo a change (time, profile, account, Region,
caller ARN, function, qualifier, before, after), and never a credential.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

JOURNAL_SCHEMA = "lambdatop.journal/1"
UNFINISHED_ERROR = "intent without result: lambdatop stopped before AWS answered; check the live value"


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One action as the journal tells it: its intent, merged with its result when there is one."""

    id: str
    time: str
    action: str
    profile: str | None
    account: str
    region: str
    caller_arn: str | None
    function: str
    function_arn: str
    qualifier: str | None
    before: Any
    after: Any
    api_call: str
    outcome: str | None  # "ok" | "failed" | "unknown" (found without result) | None: no result yet
    error: str | None
    undoes: str | None

    @property
    def finished(self) -> bool:
        return self.outcome is not None

    def describe(self) -> str:
        target = self.function + (f":{self.qualifier}" if self.qualifier else "")
        return f"{self.time} {self.action} {target} ({self.region}): {self.api_call}"


class Journal:
    """Appends to one file; every line is flushed and fsync'd before the call returns."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _append(self, record: Mapping[str, Any]) -> None:
        line = json.dumps({"schema": JOURNAL_SCHEMA, **record}, sort_keys=True, default=str) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                size = os.lseek(fd, 0, os.SEEK_END)
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    line = "\n" + line  # a line torn by a crash stays alone, this one stays whole
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)

    def intent(
        self,
        *,
        time: datetime,
        action: str,
        profile: str | None,
        account: str,
        region: str,
        caller_arn: str | None,
        function: str,
        function_arn: str,
        qualifier: str | None,
        before: Any,
        after: Any,
        api_call: str,
        undoes: str | None = None,
    ) -> str:
        """Record what is about to be written; returns the id the result must carry."""
        entry_id = uuid.uuid4().hex
        self._append(
            {
                "phase": "intent",
                "id": entry_id,
                "time": time.isoformat(),
                "action": action,
                "profile": profile,
                "account": account,
                "region": region,
                "caller_arn": caller_arn,
                "function": function,
                "function_arn": function_arn,
                "qualifier": qualifier,
                "before": before,
                "after": after,
                "api_call": api_call,
                "undoes": undoes,
            }
        )
        return entry_id

    def result(self, entry_id: str, *, time: datetime, outcome: str, error: str | None = None) -> None:
        self._append({"phase": "result", "id": entry_id, "time": time.isoformat(), "outcome": outcome, "error": error})

    # --- reading ----------------------------------------------------------------------------

    def _records(self) -> Iterator[dict[str, Any]]:
        try:
            with self.path.open(encoding="utf-8") as handle:
                for line in handle:
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError:
                        continue  # a torn last line after a crash: the rest still reads
                    if isinstance(record, dict):
                        yield record
        except FileNotFoundError:
            return

    def entries(self) -> list[JournalEntry]:
        """Every action, oldest first, each intent merged with its result."""
        intents: dict[str, dict[str, Any]] = {}
        results: dict[str, dict[str, Any]] = {}
        for record in self._records():
            ident = str(record.get("id", ""))
            if record.get("phase") == "intent":
                intents[ident] = record
            elif record.get("phase") == "result":
                results[ident] = record
        out: list[JournalEntry] = []
        for ident, rec in intents.items():
            res = results.get(ident, {})
            out.append(
                JournalEntry(
                    id=ident,
                    time=str(rec.get("time", "")),
                    action=str(rec.get("action", "")),
                    profile=rec.get("profile"),
                    account=str(rec.get("account", "")),
                    region=str(rec.get("region", "")),
                    caller_arn=rec.get("caller_arn"),
                    function=str(rec.get("function", "")),
                    function_arn=str(rec.get("function_arn", "")),
                    qualifier=rec.get("qualifier"),
                    before=rec.get("before"),
                    after=rec.get("after"),
                    api_call=str(rec.get("api_call", "")),
                    outcome=res.get("outcome"),
                    error=res.get("error"),
                    undoes=rec.get("undoes"),
                )
            )
        return out

    def unfinished(self) -> list[JournalEntry]:
        """Intents without a result: lambdatop stopped between asking AWS and hearing back."""
        return [e for e in self.entries() if not e.finished]

    def settle_unfinished(self, time: datetime) -> list[JournalEntry]:
        """Intents without a result, each now given the result "unknown" (so the next start
        says it once, and the journal keeps saying it for good)."""
        found = self.unfinished()
        for entry in found:
            self.result(entry.id, time=time, outcome="unknown", error=UNFINISHED_ERROR)
        return found

    def last_undoable(self, account: str, region: str) -> JournalEntry | None:
        """The newest successful action on this account+Region that no successful undo took back.

        Undos are actions too but are not themselves undone by `u`: pressing it again walks
        further back through the history instead of flipping one change back and forth.
        """
        entries = [e for e in self.entries() if e.account == account and e.region == region]
        undone = {e.undoes for e in entries if e.undoes and e.outcome == "ok"}
        for entry in reversed(entries):
            if entry.outcome == "ok" and entry.undoes is None and entry.id not in undone:
                return entry
        return None
