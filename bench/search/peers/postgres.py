"""PostgreSQL 15 + pg_trgm (Debian's ``postgresql`` and ``postgresql-contrib``) as a peer.

The bench starts its own cluster: ``initdb`` into ``<work-dir>/postgres/data`` (UTF-8,
``C.UTF-8`` locale, so pg_trgm treats Japanese characters as word characters), then
``pg_ctl start`` listening on a free port of 127.0.0.1 with its unix socket in the same
folder. PostgreSQL refuses to run as root: when the bench runs as root, the server commands run
as the ``postgres`` system user (``runuser -u postgres --``) and the folder is handed to it.

One flat ``datasets`` table holds what Renkei searches (the same normalised title and search
text), the facet values (organisation, licence, and arrays of tags, formats and groups), the
modification time, the private flag and the bounding box. The load is one ``COPY``; the
indexes are built after it: pg_trgm GIN on the search text, B-tree on organisation and
modification time, GIN on the formats array, GiST on the bounding box, then ``VACUUM ANALYZE``.

A query is one SQL statement: the matches in a materialised CTE (text as ``LIKE '%term%'`` on
the normalised text, which pg_trgm's index serves for terms of three characters or more), then
the count, the page and each facet (``GROUP BY``, ``unnest`` for arrays) over it. Without
facets (deep paging) the count and the page are two sub-queries the planner may serve from the
modification-time index. Statements go through one long-lived ``psql`` over TCP loopback: no
Python driver is needed.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.search.engines import Engine, log
from bench.search.measure import Answer, proc_peak_rss, reset_peak_rss
from bench.search.peers.common import HOST, flat_rows, free_port
from bench.search.queries import Query

INSTALL = "install it with: apt-get install -y postgresql postgresql-contrib"
MARK = "__renkei_bench_end__"
SETTINGS = {
    "shared_buffers": "2GB",
    "work_mem": "64MB",
    "maintenance_work_mem": "1GB",
    "effective_cache_size": "8GB",
    "max_parallel_workers_per_gather": "2",
    "max_wal_size": "8GB",
    "jit": "off",
    "random_page_cost": "1.1",
}
FACET_SQL = {
    "organization": ("org", False),
    "license_id": ("license_id", False),
    "tags": ("tags", True),
    "res_format": ("formats", True),
    "groups": ("groups", True),
}


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key)
    if found:
        return found[-1]
    return shutil.which(name)


def _version_key(path: str) -> int:
    try:
        return int(path.split("/")[4])
    except (IndexError, ValueError):
        return 0


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return _lit(f"%{escaped}%")


def _copy_field(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list):
        inner = ",".join(
            '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in value
        )
        value = "{" + inner + "}"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class PostgresEngine(Engine):
    name = "postgres"

    def __init__(self, root: Path, data_dir: Path, options: dict[str, Any]) -> None:
        super().__init__(root, data_dir, options)
        self.port = 0
        self.psql: subprocess.Popen[str] | None = None
        self.label = f"PostgreSQL {self.version() or ''} + pg_trgm".strip()

    @classmethod
    def missing(cls) -> str | None:
        for name in ("initdb", "pg_ctl", "psql"):
            if _bin(name) is None:
                return f"{name} is not installed; {INSTALL}"
        share = glob.glob("/usr/share/postgresql/*/extension/pg_trgm.control")
        if not share:
            return f"the pg_trgm extension is not installed; {INSTALL}"
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root needs the postgres system user (made by the package)"
            if shutil.which("runuser") is None:
                return "running as root needs runuser (util-linux) to start the server"
        return None

    @staticmethod
    def version() -> str | None:
        pg_ctl = _bin("pg_ctl")
        if not pg_ctl:
            return None
        out = subprocess.run([pg_ctl, "--version"], capture_output=True, text=True).stdout
        match = re.search(r"\d+\.\d+", out)
        return match.group(0) if match else None

    def describe(self) -> dict[str, Any]:
        return {
            "version": self.version(),
            "settings": SETTINGS,
            "protocol": f"psql over TCP {HOST}:{self.port}",
            "relation_bytes": self._relation_bytes(),
        }

    # -- server --------------------------------------------------------------------------------

    @property
    def pgdata(self) -> Path:
        return self.root / "data"

    def _as_server(self, cmd: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *cmd]
        return cmd

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        sock = self.root / "sock"
        sock.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            for path in (self.root, sock):
                os.chown(path, user.pw_uid, user.pw_gid)
        if not (self.pgdata / "PG_VERSION").exists():
            cmd = [_bin("initdb") or "initdb", "-D", str(self.pgdata), "-U", "postgres"]
            cmd += ["--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"]
            subprocess.run(self._as_server(cmd), check=True, capture_output=True)
        self.port = free_port()
        options = [
            f"-c listen_addresses={HOST}",
            f"-c port={self.port}",
            f"-c unix_socket_directories={sock}",
            *(f"-c {k}={v}" for k, v in SETTINGS.items()),
        ]
        cmd = [_bin("pg_ctl") or "pg_ctl", "-D", str(self.pgdata), "-l", str(self.root / "log")]
        cmd += ["-w", "-t", "120", "-o", " ".join(options), "start"]
        subprocess.run(self._as_server(cmd), check=True, capture_output=True)
        self._open_psql("postgres")
        exists = self.sql("SELECT 1 FROM pg_database WHERE datname = 'bench'")
        if not exists:
            self.sql("CREATE DATABASE bench")
        self._close_psql()
        self._open_psql("bench")

    def _psql_cmd(self, database: str) -> list[str]:
        return [
            _bin("psql") or "psql",
            "-X",
            "-q",
            "-A",
            "-t",
            "-F",
            "\t",
            "-h",
            HOST,
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            database,
        ]

    def _open_psql(self, database: str) -> None:
        self.psql = subprocess.Popen(
            [*self._psql_cmd(database), "-v", "ON_ERROR_STOP=0", "-P", "pager=off"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            bufsize=1,
        )

    def _close_psql(self) -> None:
        if self.psql is not None:
            assert self.psql.stdin is not None
            self.psql.stdin.close()
            self.psql.wait(timeout=60)
            self.psql = None

    def stop(self) -> None:
        self._close_psql()
        if (self.pgdata / "postmaster.pid").exists():
            cmd = [_bin("pg_ctl") or "pg_ctl", "-D", str(self.pgdata), "-m", "fast", "-w", "stop"]
            subprocess.run(self._as_server(cmd), capture_output=True)

    def sql(self, statement: str) -> list[list[str]]:
        """Run one statement; return its rows (tab-separated fields); raise on an error."""
        assert self.psql is not None and self.psql.stdin and self.psql.stdout
        self.psql.stdin.write(statement.rstrip().rstrip(";") + ";\n\\echo " + MARK + "\n")
        self.psql.stdin.flush()
        rows = []
        errors = []
        while True:
            line = self.psql.stdout.readline()
            if not line:
                raise RuntimeError("psql ended: " + " ".join(errors))
            line = line.rstrip("\n")
            if line == MARK:
                break
            starts_error = "ERROR:" in line or line.startswith("psql:")
            continues_error = errors and line.startswith(("LINE", "DETAIL", "HINT", " "))
            if starts_error or continues_error:
                errors.append(line)
            else:
                rows.append(line.split("\t"))
        if errors:
            raise RuntimeError(" ".join(errors)[:500])
        return rows

    def _server_pids(self) -> list[int]:
        """The postmaster and its children."""
        try:
            postmaster = int((self.pgdata / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return []
        pids = [postmaster]
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if len(fields) > 1 and fields[1] == str(postmaster):
                pids.append(int(stat.split("/")[2]))
        return pids

    def server_peak_rss(self) -> int | None:
        """Largest peak RSS among the server's processes (the backend serving the bench)."""
        return max((proc_peak_rss(pid) or 0 for pid in self._server_pids()), default=0) or None

    def reset_server_peak_rss(self) -> None:
        for pid in self._server_pids():
            reset_peak_rss(pid)

    def _relation_bytes(self) -> int | None:
        try:
            rows = self.sql("SELECT pg_total_relation_size('datasets')")
            return int(rows[0][0])
        except (RuntimeError, IndexError, ValueError):
            return None

    def size_bytes(self) -> int:
        """Table and indexes (``pg_total_relation_size``), without WAL or the catalog."""
        return self._relation_bytes() or super().size_bytes()

    # -- load ----------------------------------------------------------------------------------

    def load(self) -> dict[str, Any]:
        self.sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        self.sql(
            """CREATE TABLE datasets (
                name text NOT NULL, title text NOT NULL, body text NOT NULL, org text NOT NULL,
                license_id text, tags text[] NOT NULL, formats text[] NOT NULL,
                groups text[] NOT NULL, modified timestamp NOT NULL, private boolean NOT NULL,
                west float8, south float8, east float8, north float8)"""
        )
        started = time.perf_counter()
        copy = subprocess.Popen(
            [*self._psql_cmd("bench"), "-v", "ON_ERROR_STOP=1", "-c", "COPY datasets FROM STDIN"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
        )
        assert copy.stdin is not None
        n = 0
        columns = ("name", "title", "text", "org", "license", "tags", "formats", "groups")
        try:
            for row in flat_rows(self.data_dir):
                fields = [row[c] for c in columns]
                fields += [row["modified"].isoformat(), row["private"]]
                fields += [row["west"], row["south"], row["east"], row["north"]]
                copy.stdin.write("\t".join(_copy_field(f) for f in fields) + "\n")
                n += 1
                if n % 100_000 == 0:
                    log(f"  postgres: copied {n:,} ({n / (time.perf_counter() - started):,.0f}/s)")
            copy.stdin.close()
        except BrokenPipeError:
            pass
        output = copy.stdout.read() if copy.stdout else ""
        if copy.wait() != 0:
            raise RuntimeError(f"COPY failed: {output[:500]}")
        seconds = time.perf_counter() - started
        return {
            "datasets": n,
            "seconds": round(seconds, 2),
            "datasets_per_second": round(n / seconds) if seconds else None,
        }

    def build_index(self) -> dict[str, Any]:
        started = time.perf_counter()
        for statement in (
            "ALTER TABLE datasets ADD PRIMARY KEY (name)",
            "CREATE INDEX datasets_body_trgm ON datasets USING gin (body gin_trgm_ops)",
            "CREATE INDEX datasets_org ON datasets (org)",
            "CREATE INDEX datasets_formats ON datasets USING gin (formats)",
            "CREATE INDEX datasets_modified ON datasets (modified)",
            "CREATE INDEX datasets_bbox ON datasets USING gist "
            "(box(point(west, south), point(east, north)))",
            "VACUUM ANALYZE datasets",
        ):
            step = time.perf_counter()
            self.sql(statement)
            log(f"  postgres: {statement.split('(')[0][:50]} {time.perf_counter() - step:.1f} s")
        return {"seconds": round(time.perf_counter() - started, 2)}

    # -- queries -------------------------------------------------------------------------------

    def statement(self, query: Query) -> str:
        where = ["NOT private"]
        where += [f"body LIKE {_like(t)}" for t in query.terms]
        if query.org:
            where.append(f"org = {_lit(query.org)}")
        if query.res_format:
            where.append(f"formats @> ARRAY[{_lit(query.res_format)}]")
        if query.bbox:
            west, south, east, north = query.bbox
            where.append(
                f"box(point(west, south), point(east, north)) && "
                f"box(point({west}, {south}), point({east}, {north}))"
            )
        cond = " AND ".join(where)
        if query.sort == "score" and query.terms:
            score = " + ".join(f"(title LIKE {_like(t)})::int * 4" for t in query.terms)
            order = "score DESC, modified DESC, name"
        else:
            score = "0"
            order = "modified DESC, name"
        page = f"LIMIT {query.rows} OFFSET {query.start}"
        if not query.facets:
            return (
                f"SELECT 'n', NULL, (SELECT count(*) FROM datasets WHERE {cond}) "
                f"UNION ALL (SELECT 'r', name, NULL FROM (SELECT name, modified, {score} AS score "
                f"FROM datasets WHERE {cond}) s ORDER BY {order} {page})"
            )
        parts = [
            "SELECT 'n', NULL, count(*) FROM m",
            f"(SELECT 'r', name, NULL FROM m ORDER BY {order} {page})",
        ]
        for facet in query.facets:
            column, is_array = FACET_SQL[facet]
            source = f"m, unnest(m.{column}) AS v" if is_array else "m"
            value = "v" if is_array else column
            parts.append(
                f"(SELECT 'f:{facet}', {value}, count(*) FROM {source} "
                f"WHERE {value} IS NOT NULL GROUP BY {value} "
                f"ORDER BY 3 DESC, 2 LIMIT {query.facet_limit})"
            )
        return (
            f"WITH m AS MATERIALIZED (SELECT name, org, license_id, tags, formats, groups, "
            f"modified, {score} AS score FROM datasets WHERE {cond}) " + " UNION ALL ".join(parts)
        )

    def run(self, query: Query) -> Answer:
        rows = self.sql(self.statement(query))
        count = 0
        names: list[str] = []
        facets: dict[str, list[tuple[str, int]]] = {f: [] for f in query.facets}
        for kind, value, number in rows:
            if kind == "n":
                count = int(number)
            elif kind == "r":
                names.append(value)
            else:
                facets[kind[2:]].append((value, int(number)))
        return Answer(count, names, facets)
