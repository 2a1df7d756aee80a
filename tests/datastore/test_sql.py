"""datastore_search_sql: read-only SELECTs over readable tables, and nothing else."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from renkei.api.app import create_app
from tests.conftest import Api
from tests.datastore.test_actions import FIELDS, RECORDS


def _tables(api, ds):  # type: ignore[no-untyped-def]
    api.ok(
        "datastore_create",
        ds.editor,
        resource_id=ds.public_resource,
        fields=FIELDS,
        records=RECORDS,
    )
    api.ok(
        "datastore_create",
        ds.editor,
        resource_id=ds.private_resource,
        fields=[{"id": "ward", "type": "text"}, {"id": "secret", "type": "text"}],
        records=[{"ward": "中央", "secret": "s3cr3t"}],
    )


def test_select_aggregate_and_types(api, ds):  # type: ignore[no-untyped-def]
    _tables(api, ds)
    result = api.ok(
        "datastore_search_sql",
        sql=f'SELECT ward, count(*) AS n, sum(beds) AS beds FROM "{ds.public_resource}" '
        "GROUP BY ward ORDER BY ward",
    )
    assert result["records"] == [
        {"ward": "中央", "n": 2, "beds": 219},
        {"ward": "北", "n": 1, "beds": None},
    ]
    assert [f["type"] for f in result["fields"]] == ["text", "int", "int"]


def test_private_tables_do_not_exist_for_outsiders(api, ds):  # type: ignore[no-untyped-def]
    _tables(api, ds)
    sql = f'SELECT * FROM "{ds.private_resource}"'
    for caller in (None, ds.outsider):
        error = api.error("datastore_search_sql", caller, status=409, sql=sql)
        missing = api.error(
            "datastore_search_sql",
            caller,
            status=409,
            sql='SELECT * FROM "00000000-0000-0000-0000-000000000000"',
        )
        assert "does not exist" in error["sql"][0]
        assert error["sql"][0].replace(ds.private_resource, "X") == missing["sql"][0].replace(
            "00000000-0000-0000-0000-000000000000", "X"
        )
    joined = api.ok(
        "datastore_search_sql",
        ds.editor,
        sql=f'SELECT p.name, s.secret FROM "{ds.public_resource}" p '
        f'JOIN "{ds.private_resource}" s USING (ward) ORDER BY p.name',
    )
    assert joined["records"][0]["secret"] == "s3cr3t"


@pytest.mark.parametrize(
    "sql",
    [
        "DROP TABLE x",
        "CREATE TABLE t AS SELECT 1",
        "COPY (SELECT 1) TO '/tmp/out.csv'",
        "ATTACH '/tmp/x.db'",
        "INSTALL spatial",
        "LOAD spatial",
        "PRAGMA version",
        "SET enable_external_access = true",
    ],
)
def test_statements_other_than_select_are_refused(api, ds, sql):  # type: ignore[no-untyped-def]
    error = api.error("datastore_search_sql", ds.editor, status=403, sql=sql)
    assert "Only SELECT" in error["message"]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/hostname')",
        "SELECT * FROM glob('/*')",
        "SELECT * FROM read_parquet('{private_file}')",
        "SELECT * FROM read_csv('{private_file}')",
    ],
)
def test_files_outside_the_readable_tables_are_refused(api, ds, catalog, sql):  # type: ignore[no-untyped-def]
    _tables(api, ds)
    private_file = next(catalog.datastore.files.folder(ds.private_resource).glob("v*.duckdb"))
    error = api.error("datastore_search_sql", status=403, sql=sql.format(private_file=private_file))
    assert "Not allowed" in error["message"]
    assert "s3cr3t" not in str(error)


def test_two_statements_are_refused(api, ds):  # type: ignore[no-untyped-def]
    _tables(api, ds)
    error = api.error(
        "datastore_search_sql",
        status=409,
        sql=f'SELECT 1; SELECT * FROM "{ds.private_resource}"',
    )
    assert "exactly one" in error["sql"][0]


def _node(settings, catalog, **overrides):  # type: ignore[no-untyped-def]
    changed = settings.model_copy(update=overrides)
    catalog.settings = changed
    return Api(TestClient(create_app(changed, catalog)))


def test_slow_queries_are_stopped_and_rows_capped(settings, catalog, api, ds):  # type: ignore[no-untyped-def]
    _tables(api, ds)
    limited = _node(settings, catalog, datastore_sql_timeout_ms=200, datastore_rows_max=2)
    error = limited.error(
        "datastore_search_sql",
        status=409,
        sql="SELECT count(*) FROM range(100000000) a, range(100000000) b",
    )
    assert "longer than 0.2 s" in error["sql"][0]
    capped = limited.ok("datastore_search_sql", sql=f'SELECT * FROM "{ds.public_resource}"')
    assert len(capped["records"]) == 2 and capped["records_truncated"] is True


def test_the_setting_turns_sql_off(settings, catalog, ds):  # type: ignore[no-untyped-def]
    off = _node(settings, catalog, datastore_sql=False)
    error = off.error("datastore_search_sql", status=400, sql="SELECT 1")
    assert "turned off" in error["message"]
