"""Uploaded tabular files become DataStore tables in the background, whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from renkei.api.app import build_catalog
from renkei.datastore.engine import attach, rows_of
from renkei.datastore.load import load_table
from renkei.ingest import Column, inspect_file
from renkei.store.tables import DatastoreTable


def _upload(api, ds, path: Path, resource_id: str | None = None, **fields):  # type: ignore[no-untyped-def]
    with path.open("rb") as handle:
        files = {"upload": (path.name, handle.read())}
    if resource_id:
        return api.ok("resource_update", ds.editor, files=files, id=resource_id, **fields)
    return api.ok("resource_create", ds.editor, files=files, package_id=ds.public_dataset, **fields)


def _loaded(catalog, api, resource_id, token=None):  # type: ignore[no-untyped-def]
    assert catalog.datastore.jobs.join(timeout=60)
    return api.ok("datastore_info", token, id=resource_id)


def test_cp932_csv_with_preamble_loads_with_types(api, ds, catalog, fixture_file):  # type: ignore[no-untyped-def]
    res = _upload(api, ds, fixture_file("csv-ja/takamatsu_0002_aed.cp932.csv"))
    info = _loaded(catalog, api, res["id"])
    assert info["meta"]["status"] == "active", info["meta"]
    assert info["meta"]["count"] == 514
    types = {f["id"]: f["type"] for f in info["fields"]}
    assert types["name"] == "text"
    assert api.ok("resource_show", id=res["id"])["datastore_active"] is True
    found = api.ok("datastore_search", resource_id=res["id"], q="市役所", limit=5)
    assert found["total"] >= 1
    assert all("市役所" in " ".join(str(v) for v in r.values()) for r in found["records"])
    first = api.ok("datastore_search", resource_id=res["id"], limit=1)["records"][0]
    assert first["_id"] == 1


def test_utf16_csv_and_xlsx_load(api, ds, catalog, fixture_file):  # type: ignore[no-untyped-def]
    shelters = _upload(api, ds, fixture_file("csv-ja/nanao_shelter_reference_data.utf16.csv"))
    population = _upload(api, ds, fixture_file("csv-ja/takamatsu_0066_201811_population.xlsx"))
    assert _loaded(catalog, api, shelters["id"])["meta"]["count"] == 112
    info = _loaded(catalog, api, population["id"])
    assert info["meta"]["count"] == 235, (info["meta"]["status"], info["meta"]["message"])
    types = {f["id"]: f["type"] for f in info["fields"]}
    assert types["surveyDate"] == "date"
    assert types["prefCode"] == "text"  # a code keeps its leading zeros
    rows = api.ok("datastore_search", resource_id=population["id"], limit=1)["records"]
    assert rows[0]["prefCode"].startswith("3")  # 37 = Kagawa


def test_sql_over_a_loaded_table(api, ds, catalog, fixture_file):  # type: ignore[no-untyped-def]
    res = _upload(api, ds, fixture_file("csv-ja/nanao_shelter_reference_data.csv"))
    _loaded(catalog, api, res["id"])
    result = api.ok(
        "datastore_search_sql", sql=f'SELECT count(*) AS n, min("_id") AS first FROM "{res["id"]}"'
    )
    assert result["records"] == [{"n": 112, "first": 1}]


def test_a_new_file_replaces_the_table_and_a_bad_one_keeps_the_old(
    api, ds, catalog, fixture_file, tmp_path
):  # type: ignore[no-untyped-def]
    res = _upload(api, ds, fixture_file("csv-ja/nanao_shelter_reference_data.csv"))
    assert _loaded(catalog, api, res["id"])["meta"]["count"] == 112
    _upload(api, ds, fixture_file("csv-ja/takamatsu_0002_aed.csv"), resource_id=res["id"])
    assert _loaded(catalog, api, res["id"])["meta"]["count"] == 514
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"")
    _upload(api, ds, broken, resource_id=res["id"])
    info = _loaded(catalog, api, res["id"])
    assert info["meta"]["status"] == "failed"
    assert info["meta"]["message"]
    # The last good version is still served, and still complete.
    assert api.ok("datastore_search", resource_id=res["id"], limit=1)["total"] == 514


def test_turning_the_file_into_a_link_to_no_table_drops_the_table(api, ds, catalog, fixture_file):  # type: ignore[no-untyped-def]
    res = _upload(api, ds, fixture_file("csv-ja/nanao_shelter_reference_data.csv"))
    _loaded(catalog, api, res["id"])
    # (A link to a CSV would be fetched and loaded instead: see test_links.py.)
    api.ok(
        "resource_patch", ds.editor, id=res["id"], url="https://example.org/notes.pdf", format="PDF"
    )
    catalog.datastore.jobs.join(timeout=30)
    api.error("datastore_search", status=404, resource_id=res["id"])
    assert not catalog.datastore.files.folder(res["id"]).exists()


def test_api_writes_to_a_loaded_table_need_force(api, ds, catalog, fixture_file):  # type: ignore[no-untyped-def]
    res = _upload(api, ds, fixture_file("csv-ja/nanao_shelter_reference_data.csv"))
    _loaded(catalog, api, res["id"])
    error = api.error(
        "datastore_upsert", ds.editor, status=409, resource_id=res["id"], records=[{"ID": "x"}]
    )
    assert "read-only" in error
    api.ok("datastore_delete", ds.editor, resource_id=res["id"], filters={"_id": 1}, force=True)
    assert api.ok("datastore_search", resource_id=res["id"])["total"] == 111


def test_an_interrupted_load_resumes_at_start(api, ds, catalog, settings, fixture_file):  # type: ignore[no-untyped-def]
    res = _upload(api, ds, fixture_file("csv-ja/nanao_shelter_reference_data.csv"))
    catalog.datastore.jobs.join(timeout=60)
    with catalog.context() as ctx:  # as a process killed mid-load leaves it
        table = ctx.session.get(DatastoreTable, res["id"])
        table.status = "loading"
        table.version = 0
    restarted = build_catalog(settings)
    assert restarted.datastore.jobs.join(timeout=60)
    with restarted.context() as ctx:
        table = ctx.session.get(DatastoreTable, res["id"])
        assert (table.status, table.row_count) == ("active", 112)


def test_a_value_that_does_not_convert_demotes_its_column(tmp_path, catalog):  # type: ignore[no-untyped-def]
    source = tmp_path / "t.csv"
    source.write_text("code,count\nA,1\nB,２\nC,many\n", encoding="utf-8")
    inspection = inspect_file(source)
    # Claim more than the file holds, as a file changed after inspection would.
    inspection.columns[1] = Column(name="count", type="integer")
    target = tmp_path / "out.duckdb"
    with catalog.datastore.engine.isolated() as con:
        loaded = load_table(con, source, inspection, target, tmp_path)
        rows = con.execute(f"SELECT * FROM {rows_of(attach(con, target), 'stored')}").fetchall()
    assert [f.type for f in loaded.fields] == ["text", "text"]
    assert loaded.problems == [
        {
            "column": "count",
            "what": "value 'many' is not a integer",
            "handled": "the column was loaded as text instead of integer",
        }
    ]
    assert rows == [("A", "1"), ("B", "２"), ("C", "many")]


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("integer", "99999999999999999999"),  # beyond BIGINT: must not become NULL
        ("integer", "99,999,999,999,999,999,999"),
        ("integer", "0012"),  # a leading zero is a code, not the number 12
        ("integer", "1.5"),  # DuckDB's own cast would round it to 2
        ("datetime", "infinity"),  # DuckDB's own cast reads it as year 9999
    ],
)
def test_values_the_fast_paths_must_not_take_demote_the_column(  # type: ignore[no-untyped-def]
    tmp_path, catalog, kind, value
):
    source = tmp_path / "t.csv"
    good = "2024-04-01T09:30:00" if kind == "datetime" else "7"
    source.write_text(f'n\n{good}\n"{value}"\n', encoding="utf-8")
    inspection = inspect_file(source)
    inspection.columns[0] = Column(
        name="n", type=kind, format="iso" if kind == "datetime" else None
    )
    target = tmp_path / "out.duckdb"
    with catalog.datastore.engine.isolated() as con:
        loaded = load_table(con, source, inspection, target, tmp_path)
        rows = con.execute(f"SELECT n FROM {rows_of(attach(con, target), 'stored')}").fetchall()
    assert [f.type for f in loaded.fields] == ["text"]
    assert loaded.problems[0]["column"] == "n" and value in loaded.problems[0]["what"]
    assert rows == [(good,), (value,)]


@pytest.mark.parametrize("text", ["２", "1,234", "+5"])
def test_full_width_and_grouped_integers_convert(tmp_path, catalog, text):  # type: ignore[no-untyped-def]
    source = tmp_path / "t.csv"
    source.write_text(f'n\n"{text}"\n7\n', encoding="utf-8")
    inspection = inspect_file(source)
    assert inspection.columns[0].type == "integer"
    target = tmp_path / "out.duckdb"
    with catalog.datastore.engine.isolated() as con:
        load_table(con, source, inspection, target, tmp_path)
        rows = con.execute(f"SELECT n FROM {rows_of(attach(con, target), 'stored')}").fetchall()
    assert rows[0][0] == int(text.replace("２", "2").replace(",", ""))


def test_geojson_properties_and_geometry_load(api, ds, catalog, fixture_file):  # type: ignore[no-untyped-def]
    res = _upload(api, ds, fixture_file("geo/gsi_emergency_372013_takamatsu.geojson"))
    info = _loaded(catalog, api, res["id"])
    assert info["meta"]["count"] == 196
    types = {f["id"]: f["type"] for f in info["fields"]}
    assert types["geometry"] == "json" and types["洪水"] == "int"
    row = api.ok("datastore_search", resource_id=res["id"], limit=1)["records"][0]
    assert row["geometry"]["type"] == "Point"
    assert 133 < row["geometry"]["coordinates"][0] < 135


def test_a_large_csv_is_inspected_from_its_head_and_tail(tmp_path, catalog, monkeypatch):  # type: ignore[no-untyped-def]
    from renkei.datastore import load

    monkeypatch.setattr(load, "SAMPLE_ABOVE_BYTES", 4_000)
    monkeypatch.setattr(load, "SAMPLE_HEAD_BYTES", 1_500)
    monkeypatch.setattr(load, "SAMPLE_TAIL_BYTES", 400)
    source = tmp_path / "big.csv"
    lines = ["高松市 施設一覧", "", "番号,名称,人数,開設日"]
    lines += [f"{i},施設{i},{i * 3},2024/4/{1 + i % 28}" for i in range(1, 601)]
    lines += ["", "注: 人数は令和6年4月1日現在"]
    source.write_bytes("\n".join(lines).encode("cp932") + b"\n")
    assert source.stat().st_size > 4_000
    target = tmp_path / "out.duckdb"
    with catalog.datastore.engine.isolated() as con:
        inspection, loaded, _ = load.inspect_and_load(
            con, source, "big.csv", None, target, tmp_path
        )
        rows = con.execute(
            f"SELECT count(*), max(人数), min(開設日) FROM {rows_of(attach(con, target), 'stored')}"
        ).fetchone()
    assert inspection.row_count < 600  # the sample's rows only ...
    assert loaded.row_count == 600  # ... but every row is loaded, the note left out
    assert [f.type for f in loaded.fields] == ["text", "text", "int", "date"]
    assert loaded.problems == []
    assert rows[0] == 600 and rows[1] == 1800 and str(rows[2]) == "2024-04-01"
