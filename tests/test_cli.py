"""The ``renkei`` command: help everywhere, users, tokens, migrations, and the demo server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from renkei.cli import app
from tests.conftest import free_port

runner = CliRunner()

COMMANDS = [
    [],
    ["serve"],
    ["demo"],
    ["user"],
    ["user", "create"],
    ["token"],
    ["token", "create"],
    ["db"],
    ["db", "upgrade"],
    ["quality"],
    ["quality", "scan"],
    ["roadmap"],
    ["roadmap", "import"],
    ["roadmap", "list"],
    ["notifications"],
    ["notifications", "list"],
    ["notifications", "deliver"],
    ["inspect"],
    ["bulk"],
    ["bulk", "import"],
    ["datastore"],
    ["datastore", "status"],
    ["datastore", "reload"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "renkei")
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_user_and_token_for_scripts(tmp_path: Path) -> None:
    data_dir = str(tmp_path / "d")
    created = runner.invoke(
        app,
        [
            "user",
            "create",
            "alice",
            "--sysadmin",
            "--email",
            "a@example.org",
            "--data-dir",
            data_dir,
        ],
    )
    assert created.exit_code == 0, created.output
    duplicate = runner.invoke(app, ["user", "create", "alice", "--data-dir", data_dir])
    assert duplicate.exit_code == 1
    assert "not available" in duplicate.output
    token = runner.invoke(app, ["token", "create", "alice", "--data-dir", data_dir])
    assert token.exit_code == 0
    assert token.stdout.strip().startswith("rk_")
    assert len(token.stdout.strip().splitlines()) == 1  # only the token on stdout
    unknown = runner.invoke(app, ["token", "create", "nobody", "--data-dir", data_dir])
    assert unknown.exit_code == 1


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh"
    result = runner.invoke(app, ["db", "upgrade", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert (data_dir / "renkei.db").is_file()
    again = runner.invoke(app, ["db", "upgrade", "--data-dir", str(data_dir)])
    assert again.exit_code == 0


def test_demo_loads_once_and_serves(tmp_path: Path) -> None:
    """`renkei demo` as a newcomer runs it: a real process, a real port, the real catalog."""
    port = free_port()
    data_dir = tmp_path / "demo-data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENKEI_")}
    command = [
        sys.executable,
        "-m",
        "renkei",
        "demo",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
    ]
    url = f"http://127.0.0.1:{port}"
    for run in range(2):
        proc = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == url
            deadline = time.monotonic() + 30
            while True:
                try:
                    status = httpx.get(f"{url}/api/3/action/status_show", timeout=2)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        pytest.fail("demo server did not answer")
                    time.sleep(0.1)
            assert status.json()["success"]
            search = httpx.get(
                f"{url}/api/3/action/package_search",
                params={"facet.field": json.dumps(["organization"]), "rows": 0},
            ).json()["result"]
            assert search["count"] >= 30
            assert len(search["facets"]["organization"]) >= 5
        finally:
            proc.terminate()
            _, stderr = proc.communicate(timeout=20)
        if run == 0:
            assert "API token (shown once)" in stderr
        else:
            assert "already loaded" in stderr
