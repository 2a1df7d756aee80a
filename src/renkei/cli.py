"""The ``renkei`` command: serve a node, load the demo, manage users, tokens and the database."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from renkei.commands import bulk as bulk_commands
from renkei.commands import datastore as datastore_commands
from renkei.commands import inspect as inspect_commands
from renkei.commands import notifications as notification_commands
from renkei.commands import roadmap as roadmap_commands
from renkei.commands.quality import quality
from renkei.config import Settings

if TYPE_CHECKING:
    from renkei.catalog.context import Catalog

app = typer.Typer(help="Renkei (連携): a linked open-data catalog node.", no_args_is_help=True)
user_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)
search_app = typer.Typer(help="Manage the search index.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(db_app, name="db")
app.add_typer(search_app, name="search")
app.add_typer(inspect_commands.app, name="inspect")
app.add_typer(bulk_commands.app, name="bulk")
app.add_typer(datastore_commands.app, name="datastore")
app.add_typer(quality, name="quality")
app.add_typer(roadmap_commands.app, name="roadmap")
app.add_typer(notification_commands.app, name="notifications")

err = Console(stderr=True)

DataDirOption = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory (default: $RENKEI_DATA_DIR or ./renkei-data)"),
]


def _settings(data_dir: Path | None, **overrides: object) -> Settings:
    if data_dir is not None:
        os.environ["RENKEI_DATA_DIR"] = str(data_dir)
    settings = Settings()
    return settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})


def _run_server(settings: Settings, host: str, port: int, catalog: Catalog | None = None) -> None:
    import uvicorn

    from renkei.api.app import create_app

    uvicorn.run(create_app(settings, catalog), host=host, port=port, log_level="info")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 5000,
    data_dir: DataDirOption = None,
) -> None:
    """Serve the node (the database is migrated on start)."""
    settings = _settings(data_dir)
    if "RENKEI_SITE_URL" not in os.environ:
        settings = settings.model_copy(update={"site_url": f"http://{host}:{port}"})
    _run_server(settings, host, port)


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port to listen on")] = 5000,
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    data_dir: DataDirOption = None,
) -> None:
    """Create the data dir if needed, load the demo catalog once, and serve it."""
    from renkei.api.app import build_catalog
    from renkei.demo import loader

    settings = _settings(data_dir)
    if "RENKEI_SITE_URL" not in os.environ:
        settings = settings.model_copy(update={"site_url": f"http://{host}:{port}"})
    catalog = build_catalog(settings)
    if loader.is_loaded(catalog):
        err.print(f"Demo catalog already loaded in {settings.data_dir}")
    else:
        with err.status("Loading the demo catalog...") as status:
            token = loader.load(catalog, progress=lambda name: status.update(f"Loading {name}"))
        err.print(f"[green]Demo catalog loaded[/] into {settings.data_dir.resolve()}")
        err.print(f"Sysadmin '{loader.ADMIN}' API token (shown once): [bold]{token}[/]")
    url = settings.site_url
    err.print(f"Renkei demo: [bold]{url}/[/]  (API: {url}/api/3/action/package_search)")
    print(url, flush=True)
    _run_server(settings, host, port, catalog)


@user_app.command("create")
def user_create(
    name: Annotated[str, typer.Argument(help="Login name (lowercase letters, digits, - and _)")],
    sysadmin: Annotated[bool, typer.Option("--sysadmin", help="Make the user a sysadmin")] = False,
    email: Annotated[str | None, typer.Option("--email", help="E-mail address")] = None,
    password: Annotated[
        str | None, typer.Option("--password", help="Password for the web UI (8+ characters)")
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Create a user account."""
    from renkei.api.app import build_catalog
    from renkei.catalog import users
    from renkei.errors import RenkeiError

    catalog = build_catalog(_settings(data_dir))
    try:
        with catalog.context() as ctx:
            user = users.create_user(ctx, name, email=email, sysadmin=sysadmin, password=password)
    except RenkeiError as exc:
        err.print(f"[red]Cannot create user {name!r}:[/] {exc.message}")
        raise typer.Exit(1) from None
    err.print(f"Created user {user.name} ({'sysadmin' if user.sysadmin else 'user'}), id {user.id}")


@token_app.command("create")
def token_create(
    name: Annotated[str, typer.Argument(help="The user the token is for")],
    label: Annotated[str, typer.Option("--label", help="What the token is for")] = "cli",
    expires_days: Annotated[
        int | None, typer.Option("--expires-days", help="Expire after this many days")
    ] = None,
    data_dir: DataDirOption = None,
) -> None:
    """Create an API token and print only the token on stdout (for scripts)."""
    from renkei.api.app import build_catalog
    from renkei.catalog import users
    from renkei.catalog.context import utcnow
    from renkei.errors import RenkeiError

    catalog = build_catalog(_settings(data_dir))
    expires = utcnow() + timedelta(days=expires_days) if expires_days else None
    try:
        with catalog.context() as ctx:
            _, secret = users.create_token(ctx, users.get_user(ctx, name), label, expires)
    except RenkeiError as exc:
        err.print(f"[red]Cannot create a token for {name!r}:[/] {exc.message}")
        raise typer.Exit(1) from None
    print(secret)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Option(help="Target revision")] = "head",
    data_dir: DataDirOption = None,
) -> None:
    """Apply database migrations."""
    from renkei.store.db import upgrade

    settings = _settings(data_dir)
    settings.ensure_dirs()
    upgrade(settings.resolved_database_url, revision)
    err.print(f"Database at {revision}: {settings.resolved_database_url}")


@search_app.command("reindex")
def search_reindex(data_dir: DataDirOption = None) -> None:
    """Rebuild the search index from the database, with a progress bar."""
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from renkei.api.app import build_catalog

    # apply_pending=False: a new or outdated index would otherwise be built twice.
    catalog = build_catalog(_settings(data_dir), apply_pending=False)
    assert catalog.search is not None
    started = time.perf_counter()
    with Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=err,
    ) as progress:  # fmt: skip
        task = progress.add_task("Indexing datasets", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        count = catalog.search.reindex(catalog, progress=advance)
    elapsed = time.perf_counter() - started
    err.print(f"Indexed {count} datasets in {elapsed:.1f} s ({catalog.search.name} backend)")


@search_app.command("check")
def search_check(data_dir: DataDirOption = None) -> None:
    """Compare the search index with the database; exit 1 if they have drifted apart."""
    from renkei.api.app import build_catalog

    settings = _settings(data_dir)
    catalog = build_catalog(settings, apply_pending=False)
    assert catalog.search is not None
    report = catalog.search.check(catalog)
    for label, ids in (("missing", report.missing), ("stale", report.stale),
                       ("extra", report.extra)):  # fmt: skip
        if ids:
            shown = ", ".join(ids[:10]) + (" ..." if len(ids) > 10 else "")
            err.print(f"[red]{len(ids)} {label}:[/] {shown}")
    if report.pending:
        err.print(f"[yellow]{report.pending} queued changes not yet applied[/]")
    if report.clean:
        err.print(f"[green]The search index matches the database[/] ({catalog.search.name})")
        return
    err.print("Run `renkei search reindex` to rebuild the index.")
    raise typer.Exit(1)


if __name__ == "__main__":
    app()
