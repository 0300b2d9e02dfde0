"""Error lines → signatures: the same failure with different ids, numbers or values is one line.

A log line is first sanitised (`clean_text`), then its message is taken out of Lambda's text
prefix (`<timestamp>\t<request id>\tERROR\t`) or its JSON record (`message` / `errorMessage`),
and finally every part that varies between occurrences of one failure is replaced by a
placeholder: UUIDs and request ids, X-Ray trace ids, hex strings, quoted values, ISO
timestamps, IP addresses and numbers. What stays is the shape of the failure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from lambdatop.model.sanitize import clean_text

SIGNATURE_MAX_LEN = 160
LINE_MAX_LEN = 400
LATEST_LINES_KEPT = 5

_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")
_TRACE_ID = re.compile(r"\b1-[0-9a-fA-F]{8}-[0-9a-fA-F]{24}\b")
_ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
_IPV4 = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b")
_HEX = re.compile(r"\b(?:0x[0-9a-fA-F]+|(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,})\b")
_QUOTED = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|`[^`]*`")
_NUMBER = re.compile(r"(?<![A-Za-z_\d])[-+]?\d+(?:\.\d+)?(?![A-Za-z_\d])")
_SPACES = re.compile(r"\s+")
# Lambda's text-format application line: "<ISO time>\t<request id>\t<LEVEL>\t<message>".
_TEXT_PREFIX = re.compile(r"^\S+\t(?P<rid>[0-9a-fA-F-]{36})\t(?P<level>[A-Z]+)\t(?P<msg>.*)$", re.DOTALL)
_RUNTIME_TIMEOUT = re.compile(r"Task timed out after [\d.]+ seconds")


def normalise(message: str) -> str:
    """The signature of one error message (already sanitised or not)."""
    text = clean_text(message)
    text = _UUID.sub("<id>", text)
    text = _TRACE_ID.sub("<trace>", text)
    text = _ISO_TIME.sub("<time>", text)
    text = _IPV4.sub("<ip>", text)
    text = _QUOTED.sub("<v>", text)
    text = _HEX.sub("<hex>", text)
    text = _NUMBER.sub("<n>", text)
    return clean_text(_SPACES.sub(" ", text).strip(), max_len=SIGNATURE_MAX_LEN)


@dataclass(frozen=True, slots=True)
class ErrorLine:
    """One error, timeout or crash line as read from the function's log group."""

    timestamp: datetime
    message: str  # the raw event text (sanitise before showing)
    stream: str = ""
    request_id: str | None = None

    @property
    def version(self) -> str | None:
        """The version from the stream name `YYYY/MM/DD/[version]<env id>`."""
        start = self.stream.find("[")
        end = self.stream.find("]", start + 1)
        return self.stream[start + 1 : end] if 0 <= start < end else None


def message_of(line: str) -> tuple[str, str | None]:
    """(message, request id) from a Lambda log event in either log format."""
    stripped = line.strip()
    if stripped.startswith("{"):
        try:
            record = json.loads(stripped)
        except ValueError:
            return stripped, None
        if isinstance(record, dict):
            body = record.get("record") if isinstance(record.get("record"), dict) else record
            assert isinstance(body, dict)
            message = body.get("errorMessage") or body.get("message") or record.get("message")
            rid = body.get("requestId") or record.get("requestId")
            if record.get("type") == "platform.report" and body.get("status") == "timeout":
                message = "Task timed out (platform.report status timeout)"
            return (str(message) if message is not None else stripped), (str(rid) if rid else None)
        return stripped, None
    match = _TEXT_PREFIX.match(stripped)
    if match:
        return match.group("msg"), match.group("rid")
    if stripped.startswith("REPORT RequestId: "):
        rid = stripped.split()[2]
        if "Status: timeout" in stripped:
            return "Task timed out (REPORT Status: timeout)", rid
        return stripped, rid
    timed_out = _RUNTIME_TIMEOUT.search(stripped)
    if timed_out:
        return timed_out.group(0), None
    return stripped, None


@dataclass(frozen=True, slots=True)
class Signature:
    """Error lines that differ only in ids, numbers and values."""

    text: str
    count: int
    first_seen: datetime
    last_seen: datetime
    versions: tuple[str, ...]  # versions it was seen in, oldest first
    # Set when the signature is seen only in the newest version present in the lines.
    new_since_version: str | None
    latest: tuple[ErrorLine, ...]  # newest first, at most LATEST_LINES_KEPT
    latest_request_id: str | None = None


def group_signatures(lines: Iterable[ErrorLine]) -> list[Signature]:
    """Signatures, most frequent first (then newest), with the lines behind each."""
    groups: dict[str, list[ErrorLine]] = {}
    for line in lines:
        message, _ = message_of(line.message)
        groups.setdefault(normalise(message), []).append(line)
    every_version = {v for members in groups.values() for v in _versions(members)}
    newest = max(every_version, key=_version_key) if every_version else None
    out: list[Signature] = []
    for text, members in groups.items():
        members.sort(key=lambda ln: ln.timestamp, reverse=True)
        versions = tuple(sorted(_versions(members), key=_version_key))
        older = [v for v in every_version if v != newest]
        new_since = newest if versions == (newest,) and older and newest is not None else None
        rid = next((r for r in (_rid(m) for m in members) if r), None)
        out.append(
            Signature(
                text=text,
                count=len(members),
                first_seen=members[-1].timestamp,
                last_seen=members[0].timestamp,
                versions=versions,
                new_since_version=new_since,
                latest=tuple(members[:LATEST_LINES_KEPT]),
                latest_request_id=rid,
            )
        )
    out.sort(key=lambda s: (-s.count, -s.last_seen.timestamp()))
    return out


def latest_request_id(signatures: Sequence[Signature]) -> str | None:
    """The request id of the newest error line of all."""
    dated = [(s.last_seen, s.latest_request_id) for s in signatures if s.latest_request_id]
    return max(dated)[1] if dated else None


def _rid(line: ErrorLine) -> str | None:
    return line.request_id or message_of(line.message)[1]


def _versions(lines: Iterable[ErrorLine]) -> set[str]:
    return {v for v in (ln.version for ln in lines) if v is not None}


def _version_key(version: str) -> tuple[int, str]:
    """Numbered versions in number order; $LATEST after them."""
    return (int(version), "") if version.isdigit() else (1 << 30, version)
