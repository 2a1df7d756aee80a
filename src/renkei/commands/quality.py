"""``renkei quality``: check a data file's content, or write a tidy copy of it."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from renkei.commands.quality_scan import scan as scan_catalog
from renkei.quality.findings import Score, Severity

quality = typer.Typer(
    help="Quality: check and fix data files, scan the catalog.", no_args_is_help=True
)
quality.command("scan")(scan_catalog)
err = Console(stderr=True)

MAX_DOWNLOAD = 256 * 1024 * 1024
#: findings of one rule shown in the readable report (JSON has them all)
SHOWN_PER_RULE = 5


def _fetch(url: str, into: Path) -> tuple[Path, str]:
    """Download ``url`` into a temporary directory; return (path, filename)."""
    import httpx

    name = url.rstrip("/").rsplit("/", 1)[-1].split("?")[0] or "download.csv"
    target = into / name
    try:
        with httpx.stream("GET", url, follow_redirects=True, timeout=30) as response:
            response.raise_for_status()
            size = 0
            with target.open("wb") as handle:
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_DOWNLOAD:
                        raise typer.BadParameter(f"{url} is larger than {MAX_DOWNLOAD} bytes")
                    handle.write(chunk)
    except httpx.HTTPError as exc:
        err.print(f"[red]Cannot download {url}: {exc}[/red]")
        raise typer.Exit(2) from exc
    return target, name


def _render(console: Console, source: str, scores: list[Score]) -> None:
    summary = Table(title=f"Content quality of {source}")
    summary.add_column("scorer")
    summary.add_column("points", justify="right")
    summary.add_column("band")
    summary.add_column("findings", justify="right")
    for score in scores:
        summary.add_row(
            score.scorer,
            f"{score.points:g} / {score.max_points:g}",
            score.band or "-",
            str(len(score.findings)),
        )
    console.print(summary)
    colours = {Severity.error: "red", Severity.warning: "yellow", Severity.info: "cyan"}
    for score in scores:
        by_rule: dict[str, list] = {}
        for f in score.findings:
            by_rule.setdefault(f.rule, []).append(f)
        for rule_id, findings in by_rule.items():
            for f in findings[:SHOWN_PER_RULE]:
                where = f.location.describe()
                console.print(
                    f"[{colours[f.severity]}]{f.severity.value:7}[/] {rule_id:28} "
                    + escape(f"{where + ': ' if where else ''}{f.message}"),
                    highlight=False,
                )
                console.print(f"        {escape(f.message_ja)}", style="dim", highlight=False)
            if len(findings) > SHOWN_PER_RULE:
                console.print(
                    f"        … {len(findings) - SHOWN_PER_RULE} more {rule_id} "
                    "(all of them with --format json)",
                    style="dim",
                    highlight=False,
                )
    shown = {f.rule: f for s in scores for f in s.findings}
    if shown:
        console.print("\nHow to fix:", style="bold")
        for rule_id, f in shown.items():
            console.print(f"  {rule_id}: {escape(f.fix)} / {escape(f.fix_ja)}", highlight=False)


@quality.command()
def check(
    source: Annotated[str, typer.Argument(help="A CSV, TSV or XLSX file, or an http(s) URL")],
    schema: Annotated[
        str | None,
        typer.Option(help="Standard schema name (e.g. aed, public-wifi) or Table Schema .json"),
    ] = None,
    format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Check a file's machine-readability, structure, codes and standard schema.

    Exits 0 when no finding has severity error, 1 otherwise, 2 when the file cannot be read.
    """
    from renkei.quality.content import score_file
    from renkei.quality.reading import ReadError

    if format not in ("text", "json"):
        raise typer.BadParameter("--format must be text or json")
    with tempfile.TemporaryDirectory() as tmp:
        if source.startswith(("http://", "https://")):
            path, filename = _fetch(source, Path(tmp))
        else:
            path, filename = Path(source), Path(source).name
            if not path.is_file():
                err.print(f"[red]{source}: no such file[/red]")
                raise typer.Exit(2)
        try:
            scores = score_file(path, filename=filename, schema=schema)
        except (ReadError, ValueError) as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
    failed = any(s.has_errors for s in scores)
    if format == "json":
        findings = []
        for score in scores:
            for f in score.findings:
                item = f.model_dump(mode="json")
                item["scorer"] = score.scorer
                findings.append(item)
        document = {
            "source": source,
            "valid": not failed,
            "scores": [
                {"scorer": s.scorer, "points": s.points, "max_points": s.max_points, "band": s.band}
                for s in scores
            ],
            "findings": findings,
        }
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    else:
        _render(Console(), source, scores)
    raise typer.Exit(1 if failed else 0)


@quality.command()
def fix(
    source: Annotated[Path, typer.Argument(help="A CSV, TSV or XLSX file")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Directory for the tidy copy")],
    format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Write a tidy UTF-8 CSV version of SOURCE and a change report into OUTPUT (never
    overwriting SOURCE)."""
    from renkei.quality.fix import FixError, fix_file
    from renkei.quality.reading import ReadError

    if not source.is_file():
        err.print(f"[red]{source}: no such file[/red]")
        raise typer.Exit(2)
    try:
        report = fix_file(source, output)
    except (FixError, ReadError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if format == "json":
        sys.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        Console().print(report.markdown(), highlight=False, markup=False)
