"""``renkei notifications``: look at the outbox and deliver it through a sender."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from renkei.commands.common import DataDirOption, FormatOption, check_format, open_catalog

app = typer.Typer(help="Notifications waiting in the outbox.", no_args_is_help=True)
out = Console()


@app.command("list")
def list_(
    pending: Annotated[bool, typer.Option("--pending", help="Only messages not yet sent")] = False,
    fmt: FormatOption = "rich",
    data_dir: DataDirOption = None,
) -> None:
    """The outbox, oldest first."""
    from renkei.requests.outbox import read_outbox

    check_format(fmt)
    with open_catalog(data_dir).context(write=False) as ctx:
        messages = read_outbox(ctx, pending_only=pending, limit=10000)
    if fmt == "json":
        typer.echo(json.dumps(messages, ensure_ascii=False, indent=2))
        return
    table = Table("id", "kind", "to", "subject", "sent")
    for m in messages:
        sent = m["sent_at"] or (f"no ({m['attempts']} tries)" if m["attempts"] else "no")
        table.add_row(str(m["id"]), m["kind"], m["recipient_email"] or "-", m["subject"], sent)
    out.print(table)


@app.command("deliver")
def deliver(
    to: Annotated[Path, typer.Option("--to", help="Append the messages to this JSON-lines file")],
    data_dir: DataDirOption = None,
) -> None:
    """Hand every waiting message to the JSON-lines sender and mark it sent."""
    from renkei.requests.outbox import JsonLinesSender, deliver_pending

    result = deliver_pending(open_catalog(data_dir), JsonLinesSender(to), limit=100000)
    out.print(f"{result['sent']} sent, {result['failed']} failed -> {to}")
    if result["failed"]:
        raise typer.Exit(1)
