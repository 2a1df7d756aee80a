"""``renkei inspect FILE|URL``: what Renkei reads from a file, before it is registered."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

# A group whose callback is the command (so that `renkei inspect FILE` works when added with
# add_typer); interspersed args let options follow the file name.
app = typer.Typer(
    help="Inspect a file or URL: encoding, layout, column types, extents.",
    context_settings={"allow_interspersed_args": True},
)
out = Console()
err = Console(stderr=True)


@app.callback(invoke_without_command=True)
def inspect(
    source: Annotated[str, typer.Argument(help="A file path, or an http(s) URL")],
    output: Annotated[
        str, typer.Option("--format", help="Output: 'rich' (default) or 'json'")
    ] = "rich",
    declared: Annotated[
        str | None, typer.Option("--as", help="Declared format when the name doesn't tell")
    ] = None,
    allow_private: Annotated[
        bool, typer.Option("--allow-private", help="Let a URL reach private/loopback addresses")
    ] = False,
) -> None:
    """Print what the file holds; exit 1 when it can't be used as a table (an error finding)."""
    from renkei.errors import RenkeiError
    from renkei.ingest import inspect_file, prefill

    if output not in ("rich", "json"):
        err.print("[red]--format must be 'rich' or 'json'[/]")
        raise typer.Exit(2)
    fetched_path: Path | None = None
    try:
        if source.startswith(("http://", "https://")):
            from renkei.ingest.fetch import fetch

            limit = int(os.environ.get("RENKEI_INSPECT_MAX_BYTES", 1024**3))
            fetched = fetch(
                source, Path(tempfile.gettempdir()), max_bytes=limit, allow_private=allow_private
            )
            fetched_path, filename = fetched.path, fetched.filename
            path = fetched.path
        else:
            path = Path(source)
            filename = path.name
            if not path.is_file():
                err.print(f"[red]No such file:[/] {source}")
                raise typer.Exit(2)
        inspection = inspect_file(path, filename=filename, declared_format=declared)
    except RenkeiError as exc:
        err.print(f"[red]Cannot inspect {source}:[/] {exc.message}")
        raise typer.Exit(2) from None
    finally:
        if fetched_path is not None:
            fetched_path.unlink(missing_ok=True)
    if output == "json":
        body = inspection.model_dump(mode="json")
        body["suggested"] = prefill.suggest(inspection, filename)
        print(json.dumps(body, ensure_ascii=False))
    else:
        _print(inspection, filename)
    if not inspection.ok:
        raise typer.Exit(1)


def _print(inspection, filename: str) -> None:  # type: ignore[no-untyped-def]
    out.print(f"[bold]{filename}[/]  {inspection.format or 'unknown format'}"
              f"  {inspection.size:,} bytes  sha256 {inspection.sha256[:16]}…")  # fmt: skip
    facts = []
    if inspection.encoding:
        facts.append(f"encoding {inspection.encoding}")
    if inspection.delimiter:
        facts.append(f"delimiter {inspection.delimiter!r}")
    facts.append(f"preamble rows {inspection.skip_rows}")
    facts.append(f"header rows {inspection.header_rows}")
    if inspection.footer_rows:
        facts.append(f"footer rows {inspection.footer_rows}")
    facts.append(f"[bold]{inspection.row_count:,}[/] data rows")
    out.print("  " + ", ".join(facts))
    if inspection.bbox:
        out.print(f"  extent (WGS84) {inspection.bbox}  crs {inspection.crs}")
    if inspection.temporal:
        out.print(f"  temporal {inspection.temporal['start']} – {inspection.temporal['end']}")
    if inspection.suggested_tags:
        out.print(f"  suggested tags: {', '.join(inspection.suggested_tags)}")
    if inspection.columns:
        table = Table("#", "column", "type", "format", "role", "nulls", "min", "max")
        for number, column in enumerate(inspection.columns, start=1):
            table.add_row(
                str(number), column.name, column.type, column.format or "",
                column.role or "", str(column.null_count),
                "" if column.min is None else str(column.min)[:24],
                "" if column.max is None else str(column.max)[:24],
            )  # fmt: skip
        out.print(table)
    if len(inspection.sheets) > 1:
        for sheet in inspection.sheets:
            out.print(
                f"  sheet {sheet.sheet}: {sheet.row_count} rows, {len(sheet.columns)} columns"
            )
    colours = {"error": "red", "warning": "yellow", "info": "cyan"}
    for problem in inspection.problems:
        where = problem.location.describe()
        colour = colours.get(problem.severity, "white")
        out.print(
            f"  [{colour}]{problem.severity}[/] {where + ': ' if where else ''}{problem.message}"
        )
