"""``renkei datastore status|reload``: how the tables' loads went, and loading files again."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from renkei.commands.common import DataDirOption, FormatOption, check_format, open_catalog

app = typer.Typer(help="DataStore tables: their load status, and reloading them.")
out = Console()
err = Console(stderr=True)


def _tables(catalog, only: list[str] | None = None, status: str | None = None) -> list[dict]:  # type: ignore[no-untyped-def, type-arg]
    from sqlalchemy import select

    from renkei.datastore.sync import fetch_status
    from renkei.store.tables import DatastoreTable

    with catalog.context(write=False) as ctx:
        query = select(DatastoreTable).order_by(DatastoreTable.resource_id)
        if only:
            query = query.where(DatastoreTable.resource_id.in_(only))
        if status:
            query = query.where(DatastoreTable.status == status)
        return [
            {
                "resource_id": t.resource_id,
                "source": t.source,
                "status": t.status,
                "rows": t.row_count,
                "message": t.message,
                # Link resources: the URL, and the SHA-256, bytes and time of the last fetch.
                "fetched": fetch_status(t),
            }
            for t in ctx.session.scalars(query)
        ]


def _show(rows: list[dict], fmt: str) -> None:  # type: ignore[type-arg]
    if fmt == "json":
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("resource", "source", "status", "rows", "message", "fetched")
    for row in rows:
        table.add_row(
            row["resource_id"],
            row["source"],
            row["status"],
            str(row["rows"]),
            row["message"] or "",
            _fetched(row["fetched"]),
        )
    out.print(table)


def _fetched(fetched: dict | None) -> str:  # type: ignore[type-arg]
    if not fetched:
        return ""
    if not fetched["at"]:
        return f"{fetched['url']} (not fetched yet)"
    return (
        f"{fetched['url']}: {fetched['bytes']:,} bytes at {fetched['at']}, "
        f"sha256 {fetched['sha256'][:12]}…"
    )


@app.command("status")
def status(
    failed: Annotated[bool, typer.Option("--failed", help="Only the failed loads")] = False,
    output: FormatOption = "rich",
    data_dir: DataDirOption = None,
) -> None:
    """Every table: where its rows come from (file, url or API), its load status, rows, message,
    and for link resources what was fetched last."""
    check_format(output)
    catalog = open_catalog(data_dir)
    _show(_tables(catalog, status="failed" if failed else None), output)


@app.command("reload")
def reload(
    resource: Annotated[
        list[str] | None, typer.Argument(help="Resource ids (default: with --failed)")
    ] = None,
    failed: Annotated[bool, typer.Option("--failed", help="Reload every failed load")] = False,
    output: FormatOption = "rich",
    data_dir: DataDirOption = None,
) -> None:
    """Load files into their tables again (fetching link resources' files anew) and wait for
    the loads; exit 1 if one fails."""
    from renkei.datastore import sync

    check_format(output)
    if not resource and not failed:
        err.print("[red]Name resource ids, or pass --failed[/]")
        raise typer.Exit(2)
    catalog = open_catalog(data_dir)
    ids = list(resource or []) + [t["resource_id"] for t in _tables(catalog, status="failed")]
    skipped = [rid for rid in dict.fromkeys(ids) if not sync.reload(catalog, rid)]
    for rid in skipped:
        err.print(f"[yellow]{rid}: no table file (upload or link) to load[/]")
    assert catalog.datastore is not None
    catalog.datastore.jobs.join()
    rows = _tables(catalog, only=[rid for rid in ids if rid not in skipped])
    _show(rows, output)
    if skipped or any(row["status"] != "active" for row in rows):
        raise typer.Exit(1)
