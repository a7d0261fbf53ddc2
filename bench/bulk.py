"""Fast bulk loading: COPY on PostgreSQL, executemany on SQLite, with progress."""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from itertools import islice

from sqlalchemy import Table, insert

BATCH = 20_000


class Progress:
    """Prints `label: done/total (rate/s, eta)` on one line, updated in place."""

    def __init__(self, label: str, total: int):
        self.label, self.total, self.done = label, total, 0
        self.started = time.perf_counter()
        self._last = 0.0

    def advance(self, n: int) -> None:
        self.done += n
        now = time.perf_counter()
        if now - self._last > 0.5 or self.done >= self.total:
            self._last = now
            elapsed = max(now - self.started, 1e-6)
            rate = self.done / elapsed
            eta = (self.total - self.done) / rate if rate else 0
            sys.stderr.write(f"\r  {self.label}: {self.done:,}/{self.total:,} ({rate:,.0f}/s, eta {eta:,.0f}s)   ")
            sys.stderr.flush()

    def finish(self) -> float:
        elapsed = time.perf_counter() - self.started
        sys.stderr.write(f"\r  {self.label}: {self.done:,} rows in {elapsed:,.1f}s{' ' * 30}\n")
        return elapsed


def _chunks(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def column_defaults(table: Table) -> dict:
    """Python-side defaults of `table`'s columns (callables called once), for rows that leave them out."""
    defaults = {}
    for column in table.columns:
        default = column.default
        if default is None or column.primary_key:
            continue
        if default.is_callable:
            defaults[column.key] = default.arg(None)
        elif default.is_scalar:
            defaults[column.key] = default.arg
    return defaults


def load(connection, table: Table, rows: Iterable[dict], total: int, label: str | None = None) -> float:
    """Insert `rows` (dicts with the same keys) into `table`; returns seconds taken.

    Columns a row leaves out get the model's Python-side default, so COPY (which
    knows nothing of them) and executemany write the same thing.
    """
    progress = Progress(label or table.name, total)
    defaults = column_defaults(table)
    rows = ({**defaults, **row} for row in rows)
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        for chunk in _chunks(rows, BATCH):
            columns = list(chunk[0])
            buffer = io.StringIO()
            for row in chunk:
                buffer.write("\t".join(_copy_value(row[c]) for c in columns))
                buffer.write("\n")
            quoted = ", ".join(f'"{c}"' for c in columns)
            with raw.cursor() as cursor, cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                copy.write(buffer.getvalue())
            progress.advance(len(chunk))
    else:
        for chunk in _chunks(rows, BATCH):
            connection.execute(insert(table), chunk)
            progress.advance(len(chunk))
    return progress.finish()


def reset_sequence(connection, table: Table) -> None:
    """After COPY with explicit ids, move PostgreSQL's id sequence past them."""
    if connection.dialect.name == "postgresql" and "id" in table.c:
        connection.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 1))"
        )
