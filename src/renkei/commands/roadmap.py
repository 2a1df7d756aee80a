"""``renkei roadmap``: import the roadmap table (工程表) and look at its measures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from renkei.commands.common import DataDirOption, FormatOption, check_format, err, open_catalog

app = typer.Typer(help="The roadmap's measures as data.", no_args_is_help=True)
out = Console()


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    err.print(f"[red]{path} is neither UTF-8 nor Shift_JIS (CP932) text[/]")
    raise typer.Exit(2)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="Tab-separated roadmap table (UTF-8 or CP932)")],
    fmt: FormatOption = "rich",
    data_dir: DataDirOption = None,
) -> None:
    """Import measures (idempotent: by number); list rows that could not be placed.

    Exits 1 when the file holds no measure at all, 2 when it cannot be read."""
    from renkei.roadmap.service import import_roadmap

    check_format(fmt)
    if not file.is_file():
        err.print(f"[red]No such file: {file}[/]")
        raise typer.Exit(2)
    text = _read_text(file)
    catalog = open_catalog(data_dir)
    with catalog.context() as ctx:
        summary = import_roadmap(ctx, text, source=file.name)
    if fmt == "json":
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        if not summary["measures"]:
            raise typer.Exit(1)
        return
    out.print(
        f"[bold]{summary['measures']} measures[/] from {file.name}: {summary['created']} new, "
        f"{summary['updated']} updated, {summary['unchanged']} unchanged"
    )
    alignment = summary["alignment"]
    out.print(
        f"Articles: {alignment['exact']} measures aligned, {alignment['uncertain']} uncertain "
        "(marks kept where found, no article assigned)"
    )
    for problem in summary["problems"]:
        colour = "yellow" if problem["kind"] == "alignment" else "red"
        out.print(f"[{colour}]line {problem['line']}: {problem['message']}[/]")
    if not summary["measures"]:
        raise typer.Exit(1)


@app.command("list")
def list_(
    ministry: Annotated[str | None, typer.Option(help="Only measures of this ministry")] = None,
    article: Annotated[str | None, typer.Option(help="Only measures under this article")] = None,
    fmt: FormatOption = "rich",
    data_dir: DataDirOption = None,
) -> None:
    """The imported measures, filtered by ministry or article."""
    from renkei.roadmap.service import measure_list

    check_format(fmt)
    catalog = open_catalog(data_dir)
    with catalog.context(write=False) as ctx:
        result = measure_list(ctx, {"ministry": ministry, "article": article})
    if fmt == "json":
        typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    table = Table("number", "name", "ministries", "articles")
    for m in result["results"]:
        ministries = "、".join(("◎" if x["main"] else "") + x["name"] for x in m["ministries"])
        articles = (
            ", ".join(a["article"] for a in m["articles"])
            if m["alignment"]["status"] == "exact"
            else "(uncertain)"
        )
        table.add_row(m["number"], m["name"], ministries, articles)
    out.print(table)
