"""A node killed mid-upload keeps every committed change and half-writes nothing."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import free_port


def _cli(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "renkei", *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def _start(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "renkei", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/3/action/site_read", timeout=1)
            return proc
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail("server did not start")


def test_kill_during_upload_loses_nothing_committed(tmp_path: Path) -> None:
    data_dir = tmp_path / "node"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENKEI_")}
    env["RENKEI_DATA_DIR"] = str(data_dir)
    _cli("user", "create", "root", "--sysadmin", env=env)
    token = _cli("token", "create", "root", env=env).strip()
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/3/action/"
    headers = {"Authorization": token}

    proc = _start(port, env)
    try:
        http = httpx.Client(headers=headers, timeout=30)
        http.post(url + "organization_create", json={"name": "org"}).raise_for_status()
        http.post(
            url + "package_create", json={"name": "kept", "owner_org": "org", "title": "残る"}
        ).raise_for_status()

        sent = threading.Event()

        def body():  # type: ignore[no-untyped-def]
            boundary = "BOUNDARY"
            yield (
                f'--{boundary}\r\nContent-Disposition: form-data; name="package_id"\r\n\r\n'
                f'kept\r\n--{boundary}\r\nContent-Disposition: form-data; name="upload"; '
                f'filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n'
            ).encode()
            for _ in range(64):
                yield b"x" * 65536
            sent.set()
            time.sleep(30)  # the server is killed while waiting for the rest

        def upload() -> None:
            with contextlib.suppress(httpx.HTTPError):
                httpx.post(
                    url + "resource_create",
                    content=body(),
                    headers={**headers, "Content-Type": "multipart/form-data; boundary=BOUNDARY"},
                    timeout=60,
                )

        threading.Thread(target=upload, daemon=True).start()
        assert sent.wait(20)
        time.sleep(0.5)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()

    proc = _start(port, env)
    try:
        http = httpx.Client(headers=headers, timeout=30)
        pkg = http.get(url + "package_show", params={"id": "kept"}).json()["result"]
        assert pkg["title"] == "残る"
        assert pkg["resources"] == []
        assert not any(p.is_file() for p in (data_dir / "blobs").rglob("*"))
        # the node keeps working after the crash
        again = http.post(
            url + "resource_create",
            data={"package_id": "kept"},
            files={"upload": ("small.csv", b"a,b\n1,2\n", "text/csv")},
        )
        assert again.status_code == 200, again.text
        assert again.json()["result"]["size"] == 8
    finally:
        proc.terminate()
        proc.wait(timeout=10)
