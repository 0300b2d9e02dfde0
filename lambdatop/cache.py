"""The last fleet snapshot on disk, painted at launch before the first refresh answers.

Listing 2,000 functions takes 40 sequential ListFunctions pages; painting the previous picture at
once (marked stale, with each source's real age) beats a blank screen at 3 a.m.

The file is JSON with a schema name and a fingerprint of the snapshot model's fields and types:
after an upgrade that changes the model, an old file is simply ignored. The codec is driven by
the dataclasses' type hints, so new model fields need no change here (the fingerprint test
fails loudly if a field type is one the codec cannot store). Pure stdlib; no Textual, no AWS.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING, Field, fields, is_dataclass, replace
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from lambdatop.model.snapshot import SOURCE_NAMES, FleetSnapshot, SourceStatus

CACHE_SCHEMA = "lambdatop.cache/1"
DEFAULT_MAX_AGE_S = 7 * 24 * 3600.0
CACHED_ERROR = "cached"
_T = TypeVar("_T")

# About this session's monitoring rather than the fleet: a cached picture starts them afresh,
# so the status bar never shows an old session's API calls or spend as if they were current.
_SESSION_FIELDS = (
    "api_calls",
    "estimated_cost_usd",
    "cost_usd_per_hour",
    "tier_cost_usd_per_hour",
    "cadence_note",
    "api_calls_per_minute",
    "next_refresh_at",
    "paused",
)


class CacheFormatError(ValueError):
    """The cached document does not match the snapshot model."""


# ---------------------------------------------------------------- where cache files live


def cache_key(
    profile: str | None,
    endpoint_url: str | None,
    regions: Sequence[str],
    account_id: str | None = None,
    partition: str | None = None,
) -> tuple[str, ...]:
    """The parts that decide which fleet a snapshot shows (region order does not matter).
    Without an account: the key of the pointer to the last account seen there."""
    view = (
        f"profile={profile or ''}",
        f"endpoint={endpoint_url or ''}",
        f"regions={','.join(sorted(regions))}",
    )
    if account_id is None:
        return view
    return (*view, f"account={account_id}", f"partition={partition or partition_of(regions)}")


def partition_of(regions: Sequence[str]) -> str:
    """The AWS partition a region belongs to (its ARNs, its accounts)."""
    first = sorted(regions)[0] if regions else ""
    if first.startswith("cn-"):
        return "aws-cn"
    if first.startswith("us-gov-"):
        return "aws-us-gov"
    if first.startswith("us-iso-"):
        return "aws-iso"
    if first.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


def snapshot_account(snapshot: FleetSnapshot) -> str | None:
    """The one account a snapshot shows, or None when unknown (or, oddly, several)."""
    accounts = {r.account_id for r in snapshot.regions if r.account_id}
    accounts |= {row.account_id for row in snapshot.functions if row.account_id}
    return accounts.pop() if len(accounts) == 1 else None


class AccountCache:
    """The snapshot cache of one view (profile, endpoint, regions), one file per account.

    A snapshot is saved under its own account id and partition, and a small pointer file
    remembers the last account seen for the view. `load()` with the account STS just confirmed
    gives that account's picture; without one (STS did not answer) it gives the last account's,
    marked `account_unconfirmed`, under that account's own id. `on_problem` hears once that
    the cache cannot be written.
    """

    def __init__(
        self,
        directory: Path,
        profile: str | None,
        endpoint_url: str | None,
        regions: Sequence[str],
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        self.directory = directory
        self.profile, self.endpoint_url, self.regions = profile, endpoint_url, tuple(regions)
        self.on_problem = on_problem
        self.pointer = cache_path_for(directory, cache_key(profile, endpoint_url, regions)).with_suffix(".account")
        self.last_error: str | None = None
        self._told = False

    def path_for(self, account_id: str, partition: str | None = None) -> Path:
        return cache_path_for(
            self.directory, cache_key(self.profile, self.endpoint_url, self.regions, account_id, partition)
        )

    def load(self, now: datetime, account_id: str | None, partition: str | None = None) -> FleetSnapshot | None:
        confirmed = account_id is not None
        if account_id is None:
            try:
                account_id = self.pointer.read_text(encoding="utf-8").strip() or None
            except (OSError, UnicodeDecodeError):
                return None
        if account_id is None:
            return None
        snapshot = SnapshotCache(self.path_for(account_id, partition)).load(now)
        if snapshot is None or snapshot_account(snapshot) != account_id:
            return None  # a file that does not say whose it is cannot be shown as anyone's
        return snapshot if confirmed else replace(snapshot, account_unconfirmed=True)

    def save(self, snapshot: FleetSnapshot) -> None:
        account_id = snapshot_account(snapshot)
        if account_id is None or snapshot.from_cache:
            return  # whose fleet is unknown: nothing to key it by
        target = SnapshotCache(self.path_for(account_id))
        target.save(snapshot)
        error = target.last_error
        if error is None:
            try:
                write_atomically(self.pointer, account_id)
            except OSError as exc:
                error = f"cannot write the snapshot cache {self.pointer}: {exc.strerror or exc}"
        self.last_error = error
        if error is not None and not self._told and self.on_problem is not None:
            self._told = True
            self.on_problem(f"{error}. The next launch starts without a cached picture.")


def cache_path_for(cache_dir: Path, key_parts: Sequence[str]) -> Path:
    """One file per key; the name is a hash, so profile names and URLs never reach the path."""
    digest = hashlib.sha256(json.dumps(list(key_parts)).encode("utf-8")).hexdigest()[:24]
    return cache_dir / f"snapshot-{digest}.json"


# ---------------------------------------------------------------- the file


class SnapshotCache:
    """Save the latest live snapshot; load it back marked as cached.

    `save()` encodes a few MB for a large fleet: call it off the event loop
    (`asyncio.to_thread`). Neither method raises for I/O trouble: a cache is an optimisation.
    """

    def __init__(self, path: Path, max_age_s: float = DEFAULT_MAX_AGE_S) -> None:
        self.path = path
        self.max_age_s = max_age_s
        self.last_error: str | None = None

    def save(self, snapshot: FleetSnapshot) -> None:
        if snapshot.from_cache:
            return  # never write a cached picture back as if it were fresh
        document = {
            "schema": CACHE_SCHEMA,
            "model": model_fingerprint(),
            "generated_at": _encode(snapshot.generated_at),
            "snapshot": encode_snapshot(snapshot),
        }
        payload = json.dumps(document, separators=(",", ":"))
        try:
            self._write_atomically(payload)
        except OSError as exc:
            self.last_error = f"cannot write the snapshot cache {self.path}: {exc.strerror or exc}"
            return
        self.last_error = None

    def _write_atomically(self, payload: str) -> None:
        write_atomically(self.path, payload)

    def load(self, now: datetime) -> FleetSnapshot | None:
        """The cached snapshot marked as such, or None if missing, unreadable, foreign or old."""
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(document, dict):
                return None
            if document.get("schema") != CACHE_SCHEMA or document.get("model") != model_fingerprint():
                return None
            snapshot = decode_snapshot(document["snapshot"])
        except (OSError, ValueError, TypeError, KeyError, RecursionError):
            return None
        if (now - snapshot.generated_at).total_seconds() > self.max_age_s:
            return None
        return as_cached(snapshot)


def write_atomically(path: Path, payload: str) -> None:
    """Readers see the old file or the new one, never half of one. No fsync: a file torn by a
    power cut just fails to parse and is ignored, which costs less than a sync a minute."""
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temp_name = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:  # mkstemp: mode 0600
            stream.write(payload)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def as_cached(snapshot: FleetSnapshot) -> FleetSnapshot:
    """Mark a decoded snapshot as old news: every source failed with "cached", keeping its
    real `updated_at` so the UI shows true ages; every row stale for every source."""
    sources = {
        name: SourceStatus(
            name=status.name,
            ok=False,
            updated_at=status.updated_at,
            stale_since=status.stale_since or status.updated_at,
            error=CACHED_ERROR,
        )
        for name, status in snapshot.sources.items()
    }
    every_source = [*SOURCE_NAMES, *(n for n in sources if n not in SOURCE_NAMES)]
    functions = tuple(replace(row, stale=tuple(every_source)) for row in snapshot.functions)
    session = {f.name: _default_of(f) for f in fields(FleetSnapshot) if f.name in _SESSION_FIELDS}
    return replace(snapshot, sources=sources, functions=functions, from_cache=True, **session)


def _default_of(field_: Field[Any]) -> Any:
    if field_.default_factory is not MISSING:
        return field_.default_factory()
    return field_.default


# ---------------------------------------------------------------- the codec


def encode_snapshot(snapshot: FleetSnapshot) -> dict[str, Any]:
    encoded = _encode(snapshot)
    assert isinstance(encoded, dict)
    return encoded


def decode_snapshot(data: object) -> FleetSnapshot:
    """Rebuild a FleetSnapshot exactly as encoded; raises CacheFormatError on any mismatch."""
    snapshot = _decoder(FleetSnapshot)(data)
    assert isinstance(snapshot, FleetSnapshot)
    return snapshot


def _encode(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} in a snapshot; the model is UTC-aware")
        return value.astimezone(UTC).isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    if isinstance(value, Mapping):
        if not all(isinstance(key, str) for key in value):
            raise TypeError("snapshot mappings must have string keys")
        return {key: _encode(item) for key, item in value.items()}
    raise TypeError(f"cannot cache a {type(value).__name__}")


Decoder = Callable[[object], object]
_DECODERS: dict[Any, Decoder] = {}


def _decoder(kind: Any) -> Decoder:
    """A decoder per type, built once from the type hints (a 2,000-row fleet loads in a blink)."""
    found = _DECODERS.get(kind)
    if found is None:
        found = _DECODERS[kind] = _build_decoder(kind)
    return found


def _build_decoder(kind: Any) -> Decoder:
    origin = get_origin(kind)
    if origin is Union or origin is types.UnionType:
        others = [arg for arg in get_args(kind) if arg is not type(None)]
        if len(others) != 1 or len(get_args(kind)) != 2:
            raise TypeError(f"only `X | None` unions can be cached, not {kind}")
        inner = _decoder(others[0])
        return lambda raw: None if raw is None else inner(raw)
    if origin is Literal:
        return partial(_decode_literal, frozenset(get_args(kind)))
    if origin is tuple:  # tuple[X, ...]
        item_kind = get_args(kind)[0]
        return _decode_series if item_kind is float else partial(_decode_tuple, _decoder(item_kind))
    if origin is Mapping or origin is dict:
        return partial(_decode_mapping, _decoder(get_args(kind)[1]))
    if isinstance(kind, type) and is_dataclass(kind):
        hints = get_type_hints(kind)
        decoders = tuple((f.name, _decoder(hints[f.name])) for f in fields(kind))
        return partial(_decode_dataclass, kind, frozenset(name for name, _ in decoders), decoders)
    if kind in _SCALAR_DECODERS:
        return _SCALAR_DECODERS[kind]
    # Fails at the first save and in the tests, not silently on some later load.
    raise TypeError(f"the snapshot cache cannot store {kind!r}; teach lambdatop/cache.py")


def _decode_literal(allowed: frozenset[object], raw: object) -> object:
    if isinstance(raw, str | int) and raw in allowed:
        return raw
    raise CacheFormatError(f"{raw!r} is not one of {sorted(map(str, allowed))}")


def _decode_tuple(item: Decoder, raw: object) -> tuple[object, ...]:
    return tuple(map(item, _expect(list, raw)))


def _decode_series(raw: object) -> tuple[float, ...]:
    # Per-minute series are most of a large file: check and convert them in one pass.
    items = _expect(list, raw)
    if not all(type(item) is float or type(item) is int for item in items):  # bool is not a number here
        raise CacheFormatError("expected a list of numbers")
    return tuple(map(float, items))


def _decode_mapping(value: Decoder, raw: object) -> dict[str, object]:
    return {key: value(item) for key, item in _expect(dict, raw).items()}


def _decode_dataclass(
    kind: type[Any], names: frozenset[str], decoders: tuple[tuple[str, Decoder], ...], raw: object
) -> object:
    table = _expect(dict, raw)
    if table.keys() != names:
        raise CacheFormatError(f"fields {sorted(table)} do not match {kind.__name__}")
    return kind(**{name: decode(table[name]) for name, decode in decoders})


def _decode_bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    raise CacheFormatError(f"expected true or false, got {raw!r}")


def _decode_int(raw: object) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    raise CacheFormatError(f"expected an integer, got {raw!r}")


def _decode_float(raw: object) -> float:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    raise CacheFormatError(f"expected a number, got {raw!r}")


def _decode_str(raw: object) -> str:
    if isinstance(raw, str):
        return raw
    raise CacheFormatError(f"expected a string, got {raw!r}")


def _decode_datetime(raw: object) -> datetime:
    moment = datetime.fromisoformat(_decode_str(raw))
    if moment.tzinfo is None:
        raise CacheFormatError(f"naive datetime {raw!r}")
    return moment.astimezone(UTC)


_SCALAR_DECODERS: dict[Any, Decoder] = {
    bool: _decode_bool,
    int: _decode_int,
    float: _decode_float,
    str: _decode_str,
    datetime: _decode_datetime,
}


def _expect(container: type[_T], raw: object) -> _T:
    if not isinstance(raw, container):
        raise CacheFormatError(f"expected a {container.__name__}, got {type(raw).__name__}")
    return raw


@cache
def model_fingerprint() -> str:
    """A hash of every field name and type reachable from FleetSnapshot."""
    _decoder(FleetSnapshot)  # refuses a model the codec cannot store
    lines: list[str] = []
    _describe_model(FleetSnapshot, lines, set())
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]


def _describe_model(kind: Any, lines: list[str], seen: set[Any]) -> None:
    if isinstance(kind, type) and is_dataclass(kind):
        if kind in seen:
            return
        seen.add(kind)
        hints = get_type_hints(kind)
        for f in fields(kind):
            lines.append(f"{kind.__qualname__}.{f.name}: {hints[f.name]!r}")
            _describe_model(hints[f.name], lines, seen)
        return
    if get_origin(kind) is not Literal:
        for arg in get_args(kind):
            _describe_model(arg, lines, seen)
