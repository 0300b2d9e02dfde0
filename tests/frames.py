"""pandas views of a snapshot, for tests that check the flat records end to end.

Nothing in lambdatop uses them (the app and `--once` never import pandas), so they live with
the tests; the test extra brings pandas.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

import pandas as pd

from lambdatop.model.frames import FLAT_COLUMNS, flat_record, worst_first
from lambdatop.model.sanitize import clean_text
from lambdatop.model.snapshot import FleetSnapshot, FunctionRow


def snapshot_frame(snapshot: FleetSnapshot) -> pd.DataFrame:
    """One row per function (worst first), columns as FLAT_COLUMNS; unknown = <NA> / NaN."""
    records = [flat_record(row, verdict) for row, verdict in worst_first(snapshot.functions)]
    frame = pd.DataFrame.from_records(records, columns=[name for name, _ in FLAT_COLUMNS])
    dtypes = {"str": "string", "int": "Int64", "float": "float64"}
    return frame.astype({name: dtypes[kind] for name, kind in FLAT_COLUMNS})


def series_frame(rows: Sequence[FunctionRow], *, newest_minute: datetime | None = None) -> pd.DataFrame:
    """Per-minute invocations, one column per function, one row per minute, oldest first.

    Series of different lengths are aligned on their newest minute; missing minutes are NaN.
    With `newest_minute` (the UTC start of the last point) the index holds timestamps;
    without it, the index counts minutes ago (…, 2, 1, 0). Columns are function names, with
    `(account/region)` appended where a name occurs more than once.
    """
    length = max((len(row.invocations_series) for row in rows), default=0)
    columns = _column_names(rows)
    data = {
        column: [float("nan")] * (length - len(row.invocations_series)) + [float(v) for v in row.invocations_series]
        for column, row in zip(columns, rows, strict=True)
    }
    if newest_minute is not None:
        index = pd.date_range(end=newest_minute, periods=length, freq="min", name="minute")
    else:
        index = pd.Index(range(length - 1, -1, -1), name="minutes_ago")
    return pd.DataFrame(data, index=index, columns=columns, dtype="float64")


def _column_names(rows: Sequence[FunctionRow]) -> list[str]:
    names = [clean_text(row.name) for row in rows]
    repeated = {name for name, n in Counter(names).items() if n > 1}
    return [
        f"{name} ({clean_text(row.account_id)}/{clean_text(row.region)})" if name in repeated else name
        for name, row in zip(names, rows, strict=True)
    ]
