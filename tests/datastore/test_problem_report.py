"""A CSV over the sampling threshold is inspected from its head and tail, yet its report lists
every problem of the whole file: ragged rows by line, unconvertible values by row, capped."""

from __future__ import annotations

from pathlib import Path

from renkei.datastore import load, scan
from renkei.datastore.engine import attach, rows_of


def _big_csv(path: Path, ragged: dict[int, str], bad_counts: set[int], rows: int = 3000) -> None:
    lines = ["高松市 施設一覧", "", "番号,名称,人数,開設日"]  # data row i is on line i + 3
    for i in range(1, rows + 1):
        if i in ragged:
            lines.append(ragged[i])
        elif i in bad_counts:
            lines.append(f"{i},施設{i},多数,2024/4/1")
        else:
            lines.append(f"{i},施設{i},{i * 3},2024/4/{1 + i % 28}")
    lines += ["", "注: 人数は令和6年4月1日現在"]
    path.write_bytes("\n".join(lines).encode("cp932") + b"\n")


def _load(catalog, source: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    target = tmp_path / "out.duckdb"
    with catalog.datastore.engine.isolated() as con:
        inspection, loaded, _ = load.inspect_and_load(
            con, source, source.name, None, target, tmp_path, sample_above=20_000
        )
        count = con.execute(f"SELECT count(*) FROM {rows_of(attach(con, target), 'stored')}")
        return inspection, loaded, count.fetchone()[0]


def test_problems_in_the_middle_of_a_sampled_file_are_all_listed(tmp_path, catalog):  # type: ignore[no-untyped-def]
    source = tmp_path / "big.csv"
    ragged = {1500: "1500,施設1500", 1600: "1600,施設1600,3,2024/4/1,余分", 1700: "1700,施設1700"}
    _big_csv(source, ragged, bad_counts={1800, 1900, 2000})
    assert source.stat().st_size > 20_000 * 3
    inspection, loaded, count = _load(catalog, source, tmp_path)
    assert inspection.row_count < 3000  # only the sample was inspected
    assert count == loaded.row_count == 3000  # every row loaded, the note left out
    rows = {(p["rule"], p["location"]["row"], p["location"]["column"])
            for p in loaded.problems if p.get("location", {}).get("row")}  # fmt: skip
    assert rows == {
        ("ingest.row.too_few_fields", 1503, 3),
        ("ingest.row.too_many_fields", 1603, 5),
        ("ingest.row.too_few_fields", 1703, 3),
    }
    values = [p for p in loaded.problems if p.get("rule") == "load.value.not_converted"]
    assert [(p["location"]["_id"], p["location"]["column_name"]) for p in values] == [
        (1800, "人数"), (1900, "人数"), (2000, "人数")
    ]  # fmt: skip
    assert "'多数'" in values[0]["message"] and "loaded as text" in values[0]["message"]
    assert [f.type for f in loaded.fields][2] == "text"  # the demoted column


def test_the_list_is_capped_with_a_count_per_kind(tmp_path, catalog, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(scan, "MAX_LISTED", 5)
    source = tmp_path / "big.csv"
    ragged = {i: f"{i},施設{i}" for i in range(1000, 1300, 20)}  # 15 short rows
    _big_csv(source, ragged, bad_counts=set(range(2000, 2040)))  # 40 bad values
    _, loaded, _ = _load(catalog, source, tmp_path)
    listed = [p for p in loaded.problems if p.get("severity") == "warning"]
    assert len(listed) == 5
    summaries = {p["rule"]: p for p in loaded.problems if p.get("severity") == "info"}
    assert summaries["ingest.row.too_few_fields"]["count"] == 15
    assert summaries["load.value.not_converted"]["count"] == 40
    assert "40 in all" in summaries["load.value.not_converted"]["message"]


def test_the_rows_serve_before_the_whole_file_scan_ends(tmp_path, catalog):  # type: ignore[no-untyped-def]
    """``on_loaded`` sees the complete rows first; the scan then reads the table where the
    callback moved it (published) and adds the whole file's problems."""
    source = tmp_path / "big.csv"
    _big_csv(source, {1500: "1500,施設1500"}, bad_counts={1800})
    target = tmp_path / "staged.duckdb"
    moved = tmp_path / "published.duckdb"
    early: list[tuple[int, int]] = []

    def publish(inspection, loaded):  # type: ignore[no-untyped-def]
        early.append((loaded.row_count, len(loaded.problems)))
        target.rename(moved)
        return moved

    with catalog.datastore.engine.isolated() as con:
        _, loaded, timings = load.inspect_and_load(
            con, source, source.name, None, target, tmp_path, sample_above=20_000,
            on_loaded=publish,
        )  # fmt: skip
    assert early == [(3000, 1)]  # all rows; only the demotion known so far
    rules = [p.get("rule") for p in loaded.problems]
    assert "ingest.row.too_few_fields" in rules and "load.value.not_converted" in rules
    assert not target.exists() and moved.exists()
    assert timings["ready"] > 0 and timings["report"] >= 0


def test_a_sampled_upload_is_active_once_with_the_complete_report(  # type: ignore[no-untyped-def]
    tmp_path, api, ds, catalog
):
    from renkei.store.tables import DatastoreTable

    catalog.settings.datastore_sample_above_bytes = 20_000
    source = tmp_path / "big.csv"
    _big_csv(source, {1500: "1500,施設1500"}, bad_counts=set())
    res = api.ok("resource_create", ds.editor, package_id=ds.public_dataset,
                 files={"upload": ("big.csv", source.read_bytes())})  # fmt: skip
    assert catalog.datastore.jobs.join(timeout=60)
    with catalog.context() as ctx:
        table = ctx.session.get(DatastoreTable, res["id"])
        assert (table.status, table.version, table.row_count) == ("active", 1, 3000)
        rules = [p.get("rule") for p in table.report]
    assert "ingest.row.too_few_fields" in rules
    assert "datastore.report.pending" not in rules  # the note was replaced by the full list
