"""What the feature commands share: their options, and opening the node's catalog."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from renkei.catalog.context import Catalog

err = Console(stderr=True)

FormatOption = Annotated[str, typer.Option("--format", help="Output: rich (default) or json")]
DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory (default: $RENKEI_DATA_DIR or ./renkei-data)"),
]


def check_format(fmt: str) -> None:
    if fmt not in ("rich", "json"):
        err.print(f"[red]--format must be rich or json, not {fmt!r}[/]")
        raise typer.Exit(2)


def open_catalog(data_dir: Path | None) -> Catalog:
    """The node's catalog (migrated), as ``renkei serve`` would open it."""
    from renkei.api.app import build_catalog
    from renkei.cli import _settings

    return build_catalog(_settings(data_dir))
