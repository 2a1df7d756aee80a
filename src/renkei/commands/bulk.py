"""``renkei bulk import SHEET``: register many datasets from a metadata spreadsheet."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Register datasets in bulk from a spreadsheet.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


@app.command("import")
def import_sheet(
    sheet_path: Annotated[
        Path, typer.Argument(help="CSV or XLSX sheet (see docs/registration.md)")
    ],
    user: Annotated[str, typer.Option("--user", help="Import as this user (their rights apply)")],
    valid_only: Annotated[
        bool, typer.Option("--valid-only", help="Apply the valid datasets, list the others")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check only, apply nothing")] = False,
    output: Annotated[str, typer.Option("--format", help="'rich' (default) or 'json'")] = "rich",
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Data directory (default: $RENKEI_DATA_DIR)")
    ] = None,
) -> None:
    """Check every row, then create all datasets in one transaction, or none (exit 1)."""
    from renkei.api.app import build_catalog
    from renkei.catalog import users
    from renkei.config import Settings
    from renkei.errors import RenkeiError
    from renkei.ingest import bulk

    if not sheet_path.is_file():
        err.print(f"[red]No such file:[/] {sheet_path}")
        raise typer.Exit(2)
    if data_dir is not None:
        os.environ["RENKEI_DATA_DIR"] = str(data_dir)
    catalog = build_catalog(Settings())
    try:
        sheet = bulk.read_sheet(sheet_path)
        with catalog.context() as ctx:
            ctx.user = users.get_user(ctx, user)
            report = bulk.bulk_import(ctx, sheet, valid_only=valid_only, dry_run=dry_run)
    except RenkeiError as exc:
        err.print(f"[red]Cannot import {sheet_path}:[/] {exc.message}")
        raise typer.Exit(2) from None
    if output == "json":
        print(json.dumps(report, ensure_ascii=False))
    else:
        _print(report)
    failed = bool(report["errors"]) and not (report["applied"] and valid_only)
    if failed or (not report["applied"] and not dry_run):
        raise typer.Exit(1)


def _print(report: dict) -> None:  # type: ignore[type-arg]
    if report["errors"]:
        table = Table("row", "column", "problem", title="Problems")
        for problem in report["errors"]:
            table.add_row(str(problem["row"] or ""), problem["column"] or "", problem["message"])
        out.print(table)
    if report["applied"]:
        rejected = f"; {len(report['rejected'])} rejected" if report["rejected"] else ""
        out.print(f"[green]Created {len(report['created'])} datasets[/]{rejected}")
        for item in report["created"]:
            out.print(f"  {item['name']}  (rows {', '.join(map(str, item['rows']))})")
    elif report["dry_run"]:
        state = "[green]valid[/]" if not report["errors"] else "[red]not valid[/]"
        out.print(f"Dry run: {report['rows']} rows checked, sheet {state}; nothing applied")
    else:
        out.print("[red]Nothing was imported:[/] fix the problems above and run it again "
                  "(or use --valid-only to import the valid datasets)")  # fmt: skip
