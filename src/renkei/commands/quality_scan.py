"""``renkei quality scan``: rescore the catalog's datasets, with a progress bar (registered
in the ``quality`` group of ``renkei.commands.quality``)."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

err = Console(stderr=True)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


def scan(
    dataset: Annotated[
        list[str] | None,
        typer.Option("--dataset", "-d", help="Scan only this dataset (name or id; repeatable)"),
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Rescore every dataset, not only changed ones")
    ] = False,
    older_than: Annotated[
        float,
        typer.Option(
            "--older-than",
            min=0,
            help="Also rescore reports older than this many days (freshness ages)",
        ),
    ] = 7,
    links: Annotated[
        bool,
        typer.Option("--links", help="Check every link resource over HTTP (implies --all)"),
    ] = False,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="text (default) or json")
    ] = OutputFormat.text,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Data directory (default: $RENKEI_DATA_DIR)"),
    ] = None,
) -> None:
    """Score datasets (MQA metadata, openness stars, freshness; links with --links) and store
    the reports. By default only datasets never scored, changed since their last report, or
    scored more than --older-than days ago."""
    from renkei.api.app import build_catalog
    from renkei.config import Settings
    from renkei.quality.scan import datasets_to_scan
    from renkei.quality.scan import scan as run_scan

    if data_dir is not None:
        os.environ["RENKEI_DATA_DIR"] = str(data_dir)
    catalog = build_catalog(Settings())
    ids = datasets_to_scan(
        catalog,
        everything=everything or links,
        names=dataset or [],
        older_than=timedelta(days=older_than),
    )
    if dataset and len(ids) < len(dataset):
        err.print(f"[red]Not found:[/] {len(dataset) - len(ids)} of the datasets named")
        raise typer.Exit(2)
    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err, disable=output is OutputFormat.json,
    ) as progress:  # fmt: skip
        task = progress.add_task("Scoring datasets", total=len(ids))

        def advance(done: int, total: int, _package_id: str) -> None:
            progress.update(task, completed=done, total=total)

        summary = run_scan(catalog, ids, links=links, progress=advance)
    if output is OutputFormat.json:
        typer.echo(json.dumps(asdict(summary), ensure_ascii=False))
        return
    bands = ", ".join(f"{band} {n}" for band, n in sorted(summary.bands.items())) or "none"
    err.print(f"Scored {summary.scanned} datasets ({bands}); skipped {summary.skipped}.")
