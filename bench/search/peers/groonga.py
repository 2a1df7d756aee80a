"""Groonga (Debian's ``groonga-bin``) as a peer: its own HTTP server on 127.0.0.1.

Schema: one ``Datasets`` table keyed by dataset name, with the same normalised title and search
text as Renkei, the organisation, tags, formats, groups and licence as references (so facets
are drilldowns), the modification time, the private flag and the bounding box. The full-text
lexicon uses ``TokenBigram`` with ``NormalizerNFKC150``; indexes are built after the load
(Groonga's static index construction). Queries use the query syntax on ``title * 4 || text``
(each keyword a quoted phrase, all required), ``--filter`` for privacy, fq and bbox, and
labelled drilldowns for the facets.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import shutil
import subprocess
import time
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench.search.engines import Engine, log
from bench.search.measure import Answer, proc_peak_rss, reset_peak_rss
from bench.search.peers.common import HOST, flat_rows, free_port, wait_for_port
from bench.search.queries import Query

INSTALL = "install it with: apt-get install -y groonga-bin"
LOAD_CHUNK = 5000
FACET_COLUMNS = {
    "organization": "org",
    "tags": "tags",
    "res_format": "formats",
    "license_id": "license",
    "groups": "groups",
}
TERM_TABLES = {"Orgs": "org", "Tags": "tags", "Formats": "formats", "Licenses": "license"}


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class GroongaEngine(Engine):
    name = "groonga"

    def __init__(self, root: Path, data_dir: Path, options: dict[str, Any]) -> None:
        super().__init__(root, data_dir, options)
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.conn: http.client.HTTPConnection | None = None
        self.label = f"Groonga {self.version() or ''}".strip()

    @classmethod
    def missing(cls) -> str | None:
        if shutil.which("groonga") is None:
            return f"the groonga command is not installed; {INSTALL}"
        return None

    @staticmethod
    def version() -> str | None:
        try:
            out = subprocess.run(["groonga", "--version"], capture_output=True, text=True)
        except OSError:
            return None
        first = out.stdout.split("\n", 1)[0].split()
        return first[1] if len(first) > 1 else None

    def describe(self) -> dict[str, Any]:
        return {
            "version": self.version(),
            "tokenizer": "TokenBigram",
            "normalizer": "NormalizerNFKC150",
            "protocol": f"HTTP on {HOST}:{self.port}",
        }

    # -- server --------------------------------------------------------------------------------

    def start(self) -> None:
        db = self.root / "db" / "db"
        if not db.exists():
            db.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["groonga", "-n", str(db), "quit"], check=True, capture_output=True)
        self.port = free_port()
        cmd = ["groonga", "--protocol", "http", "-s", "--bind-address", HOST]
        cmd += ["--port", str(self.port), "--log-path", str(self.root / "groonga.log"), str(db)]
        self.proc = subprocess.Popen(
            cmd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        self.conn = http.client.HTTPConnection(HOST, self.port, timeout=600)

    def stop(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(OSError, http.client.HTTPException, RuntimeError):
            self.command("shutdown")
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def command(self, name: str, body: bytes | None = None, /, **params: Any) -> Any:
        """Run a Groonga command over HTTP; return its body, raise on an error status."""
        assert self.conn is not None
        path = f"/d/{name}" + (f"?{urlencode(params)}" if params else "")
        if body is None:
            self.conn.request("GET", path)
        else:
            headers = {"Content-Type": "application/json"}
            self.conn.request("POST", path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        if name == "shutdown":
            return None
        header, *rest = json.loads(data)
        if header[0] != 0:
            raise RuntimeError(f"groonga {name}: {header[3] if len(header) > 3 else header}")
        return rest[0] if rest else None

    def server_peak_rss(self) -> int | None:
        return proc_peak_rss(self.proc.pid) if self.proc else None

    def reset_server_peak_rss(self) -> None:
        if self.proc:
            reset_peak_rss(self.proc.pid)

    # -- load ----------------------------------------------------------------------------------

    def load(self) -> dict[str, Any]:
        c = self.command
        for table in (*TERM_TABLES, "Groups"):
            c("table_create", name=table, flags="TABLE_HASH_KEY", key_type="ShortText")
        c("table_create", name="Datasets", flags="TABLE_HASH_KEY", key_type="ShortText")
        for column, kind, typ in (
            ("title", "COLUMN_SCALAR", "Text"),
            ("text", "COLUMN_SCALAR", "Text"),
            ("org", "COLUMN_SCALAR", "Orgs"),
            ("license", "COLUMN_SCALAR", "Licenses"),
            ("tags", "COLUMN_VECTOR", "Tags"),
            ("formats", "COLUMN_VECTOR", "Formats"),
            ("groups", "COLUMN_VECTOR", "Groups"),
            ("modified", "COLUMN_SCALAR", "Time"),
            ("private", "COLUMN_SCALAR", "Bool"),
            ("west", "COLUMN_SCALAR", "Float"),
            ("south", "COLUMN_SCALAR", "Float"),
            ("east", "COLUMN_SCALAR", "Float"),
            ("north", "COLUMN_SCALAR", "Float"),
        ):
            c("column_create", table="Datasets", name=column, flags=kind, type=typ)
        started = time.perf_counter()
        n = 0
        chunk: list[dict[str, Any]] = []

        def send() -> None:
            body = json.dumps(chunk, ensure_ascii=False).encode()
            loaded = c("load", body, table="Datasets", input_type="json")
            if loaded != len(chunk):
                raise RuntimeError(f"groonga loaded {loaded} of {len(chunk)} records")
            chunk.clear()

        for row in flat_rows(self.data_dir):
            modified: datetime = row["modified"]
            chunk.append(
                {
                    "_key": row["name"],
                    "title": row["title"],
                    "text": row["text"],
                    "org": row["org"],
                    "license": row["license"],
                    "tags": row["tags"],
                    "formats": row["formats"],
                    "groups": row["groups"],
                    "modified": modified.timestamp(),
                    "private": row["private"],
                    "west": row["west"],
                    "south": row["south"],
                    "east": row["east"],
                    "north": row["north"],
                }
            )
            n += 1
            if len(chunk) >= LOAD_CHUNK:
                send()
                if n % 100_000 == 0:
                    log(f"  groonga: loaded {n:,} ({n / (time.perf_counter() - started):,.0f}/s)")
        if chunk:
            send()
        seconds = time.perf_counter() - started
        return {
            "datasets": n,
            "seconds": round(seconds, 2),
            "datasets_per_second": round(n / seconds) if seconds else None,
        }

    def build_index(self) -> dict[str, Any]:
        c = self.command
        started = time.perf_counter()
        c(
            "table_create",
            name="Terms",
            flags="TABLE_PAT_KEY",
            key_type="ShortText",
            default_tokenizer="TokenBigram",
            normalizer="NormalizerNFKC150",
        )
        c(
            "column_create",
            table="Terms",
            name="datasets_text",
            flags="COLUMN_INDEX|WITH_POSITION|WITH_SECTION",
            type="Datasets",
            source="title,text",
        )
        for table, column in (*TERM_TABLES.items(), ("Groups", "groups")):
            c("column_create", table=table, name="idx", flags="COLUMN_INDEX", type="Datasets",
              source=column)  # fmt: skip
        c("table_create", name="Times", flags="TABLE_PAT_KEY", key_type="Time")
        c("column_create", table="Times", name="idx", flags="COLUMN_INDEX", type="Datasets",
          source="modified")  # fmt: skip
        c("table_create", name="Coords", flags="TABLE_PAT_KEY", key_type="Float")
        for column in ("west", "south", "east", "north"):
            c("column_create", table="Coords", name=column, flags="COLUMN_INDEX",
              type="Datasets", source=column)  # fmt: skip
        return {"seconds": round(time.perf_counter() - started, 2)}

    # -- queries -------------------------------------------------------------------------------

    def params(self, query: Query) -> dict[str, Any]:
        filters = ["private == false"]
        if query.org:
            filters.append(f"org == {_quote(query.org)}")
        if query.res_format:
            filters.append(f"formats @ {_quote(query.res_format)}")
        if query.bbox:
            west, south, east, north = query.bbox
            filters.append(
                f"west <= {east} && east >= {west} && south <= {north} && north >= {south}"
            )
        params: dict[str, Any] = {
            "table": "Datasets",
            "filter": " && ".join(filters),
            "output_columns": "_key",
            "offset": query.start,
            "limit": query.rows,
        }
        if query.terms:
            params["match_columns"] = "title * 4 || text"
            params["query"] = " ".join(_quote(t) for t in query.terms)
        if query.sort == "score" and query.terms:
            params["sort_keys"] = "-_score,-modified,_key"
        else:
            params["sort_keys"] = "-modified,_key"
        for facet in query.facets:
            label = f"drilldowns[{facet}]"
            params[f"{label}.keys"] = FACET_COLUMNS[facet]
            params[f"{label}.sort_keys"] = "-_nsubrecs,_key"
            params[f"{label}.limit"] = query.facet_limit
            params[f"{label}.output_columns"] = "_key,_nsubrecs"
        return params

    def run(self, query: Query) -> Answer:
        body = self.command("select", **self.params(query))
        records = body[0]
        count = records[0][0]
        names = [r[0] for r in records[2:]]
        facets: dict[str, list[tuple[str, int]]] = {}
        if len(body) > 1 and isinstance(body[1], dict):
            for facet, table in body[1].items():
                facets[facet] = [(k, int(n)) for k, n in table[2:]]
        return Answer(count, names, facets)
