"""What a resource page shows of a DataStore table: numeric columns summarised over the whole
table (count, min, mean, max and a histogram), computed in DuckDB in one pass per column."""

from __future__ import annotations

from typing import Any

from renkei.catalog.context import Context
from renkei.datastore.engine import ident
from renkei.datastore.service import datastore_of, readable_table, table_sql

NUMERIC = frozenset({"int", "numeric", "float"})


def histograms(
    ctx: Context, resource_id: str, columns: list[str], bins: int = 12
) -> list[dict[str, Any]]:
    """A histogram of each named numeric column over every row of the table."""
    table, _ = readable_table(ctx, resource_id)
    types = {f["id"]: f["type"] for f in table.fields}
    source = table_sql(ctx, table)
    charts = []
    with datastore_of(ctx).engine.cursor() as con:
        for name in columns:
            if types.get(name) not in NUMERIC:
                continue
            column = f"CAST({ident(name)} AS DOUBLE)"
            row = con.execute(
                f"SELECT count({column}), min({column}), max({column}), avg({column}) "
                f"FROM {source} WHERE isfinite({column})"
            ).fetchone()
            if not row or row[0] < 2 or row[1] == row[2]:
                continue
            count, low, high, mean = row
            width = (high - low) / bins
            counts = dict(
                con.execute(
                    f"SELECT least(CAST(floor(({column} - ?) / ?) AS INTEGER), ?) AS b, count(*) "
                    f"FROM {source} WHERE isfinite({column}) GROUP BY b",
                    [low, width, bins - 1],
                ).fetchall()
            )
            charts.append(
                {
                    "column": name,
                    "count": int(count),
                    "min": chart_number(low),
                    "max": chart_number(high),
                    "mean": chart_number(round(mean, 2)),
                    "bins": [
                        {
                            "from": chart_number(low + b * width),
                            "to": chart_number(low + (b + 1) * width),
                            "count": int(counts.get(b, 0)),
                        }
                        for b in range(bins)
                    ],
                }
            )
    return charts


def chart_number(value: float) -> float | int:
    """A chart's number for JSON: integral values as ints, others to 4 places."""
    return int(value) if value == int(value) and abs(value) < 2**53 else round(value, 4)
