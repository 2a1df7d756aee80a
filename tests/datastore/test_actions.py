"""CKAN's DataStore actions through the Action API: create, upsert, delete, info, search."""

from __future__ import annotations

FIELDS = [
    {"id": "name", "type": "text"},
    {"id": "ward", "type": "text"},
    {"id": "beds", "type": "int"},
    {"id": "opened", "type": "date"},
    {"id": "lat", "type": "float"},
]
RECORDS = [
    {"name": "高松市民病院", "ward": "中央", "beds": 200, "opened": "1950-04-01", "lat": 34.3},
    {"name": "ＡＥＤ設置 公民館", "ward": "北", "beds": None, "opened": "2001-10-05", "lat": 34.4},
    {"name": "Sunport Clinic", "ward": "中央", "beds": 19, "opened": "2019-01-15", "lat": 34.35},
]


def _create(api, ds, **extra):  # type: ignore[no-untyped-def]
    return api.ok(
        "datastore_create",
        ds.editor,
        resource_id=ds.public_resource,
        fields=FIELDS,
        records=RECORDS,
        **extra,
    )


def test_create_then_search_returns_typed_rows(api, ds):  # type: ignore[no-untyped-def]
    created = _create(api, ds)
    assert created["resource_id"] == ds.public_resource
    assert [f["id"] for f in created["fields"]] == [f["id"] for f in FIELDS]
    found = api.ok("datastore_search", resource_id=ds.public_resource)
    assert found["total"] == 3
    assert [f["id"] for f in found["fields"]][0] == "_id"
    first = found["records"][0]
    assert first == {
        "_id": 1,
        "name": "高松市民病院",
        "ward": "中央",
        "beds": 200,
        "opened": "1950-04-01",
        "lat": 34.3,
    }
    shown = api.ok("resource_show", id=ds.public_resource)
    assert shown["datastore_active"] is True


def test_filters_sort_fields_paging_and_formats(api, ds):  # type: ignore[no-untyped-def]
    _create(api, ds)
    central = api.ok(
        "datastore_search",
        resource_id=ds.public_resource,
        filters={"ward": "中央"},
        sort="beds desc",
        fields=["name", "beds"],
    )
    assert central["total"] == 2
    assert central["records"] == [
        {"name": "高松市民病院", "beds": 200},
        {"name": "Sunport Clinic", "beds": 19},
    ]
    page = api.ok("datastore_search", resource_id=ds.public_resource, limit=1, offset=1, sort="_id")
    assert page["total"] == 3 and page["records"][0]["_id"] == 2
    assert page["_links"]["next"].endswith("offset=2")
    lists = api.ok(
        "datastore_search",
        resource_id=ds.public_resource,
        records_format="lists",
        fields="name,beds",
        sort="name",
    )
    assert lists["records"][0] == ["Sunport Clinic", 19]
    as_csv = api.ok(
        "datastore_search",
        resource_id=ds.public_resource,
        records_format="csv",
        fields="ward",
        distinct=True,
        sort="ward",
    )
    assert as_csv["records"].splitlines() == ["中央", "北"]
    # GET with JSON-encoded filters, as CKAN clients send them
    got = api.ok(
        "datastore_search",
        http_method="GET",
        resource_id=ds.public_resource,
        filters='{"beds": "19"}',
    )
    assert [r["name"] for r in got["records"]] == ["Sunport Clinic"]


def test_q_finds_japanese_substrings_and_folds_width_and_case(api, ds):  # type: ignore[no-untyped-def]
    _create(api, ds)

    def names(q):  # type: ignore[no-untyped-def]
        result = api.ok("datastore_search", resource_id=ds.public_resource, q=q)
        return sorted(r["name"] for r in result["records"])

    assert names("病院") == ["高松市民病院"]
    assert names("aed") == ["ＡＥＤ設置 公民館"]  # full-width in the data, ASCII in the query
    assert names("ＳＵＮＰＯＲＴ") == ["Sunport Clinic"]
    assert names("中央 clinic") == ["Sunport Clinic"]  # every word must match
    assert names({"ward": "北"}) == ["ＡＥＤ設置 公民館"]


def test_upsert_insert_update_and_primary_key(api, ds):  # type: ignore[no-untyped-def]
    _create(api, ds, primary_key="name")
    api.ok(
        "datastore_upsert",
        ds.editor,
        resource_id=ds.public_resource,
        records=[{"name": "Sunport Clinic", "beds": 25}, {"name": "新病院", "ward": "南"}],
    )
    rows = api.ok("datastore_search", resource_id=ds.public_resource, sort="_id")["records"]
    by_name = {r["name"]: r for r in rows}
    assert by_name["Sunport Clinic"]["beds"] == 25
    assert by_name["Sunport Clinic"]["ward"] == "中央"  # fields not sent are kept
    assert by_name["新病院"]["_id"] == 4
    error = api.error(
        "datastore_upsert",
        ds.editor,
        status=409,
        resource_id=ds.public_resource,
        method="update",
        records=[{"name": "nowhere", "beds": 1}],
    )
    assert "matches no row" in error["records"][0]
    clash = api.error(
        "datastore_upsert",
        ds.editor,
        status=409,
        resource_id=ds.public_resource,
        method="insert",
        records=[{"name": "新病院"}],
    )
    assert "primary key" in clash["records"][0]
    assert api.ok("datastore_search", resource_id=ds.public_resource)["total"] == 4


def test_update_by_row_id_without_primary_key(api, ds):  # type: ignore[no-untyped-def]
    _create(api, ds)
    api.ok(
        "datastore_upsert",
        ds.editor,
        resource_id=ds.public_resource,
        method="update",
        records=[{"_id": 2, "beds": 5}],
    )
    row = api.ok("datastore_search", resource_id=ds.public_resource, filters={"_id": 2})
    assert row["records"][0]["beds"] == 5


def test_bad_values_are_named_and_nothing_is_written(api, ds):  # type: ignore[no-untyped-def]
    _create(api, ds)
    error = api.error(
        "datastore_upsert",
        ds.editor,
        status=409,
        resource_id=ds.public_resource,
        method="insert",
        records=[{"name": "ok", "beds": 3}, {"name": "bad", "beds": "many"}],
    )
    assert error["records"] == ["record 2, field 'beds': 'many' is not a valid int"]
    assert api.ok("datastore_search", resource_id=ds.public_resource)["total"] == 3
    unknown = api.error(
        "datastore_search",
        status=409,
        resource_id=ds.public_resource,
        filters={"nope": 1},
    )
    assert "nope" in unknown["filters"][0]
    bad_sort = api.error(
        "datastore_search", status=409, resource_id=ds.public_resource, sort="beds; drop"
    )
    assert "sort" in bad_sort
    bad_type = api.error(
        "datastore_create",
        ds.editor,
        status=409,
        resource_id=ds.public_resource,
        fields=[{"id": "x", "type": "money"}],
    )
    assert "unknown type" in bad_type["fields"][0]


def test_hostile_field_names_are_data_not_sql(api, ds):  # type: ignore[no-untyped-def]
    name = 'a"; DROP TABLE x; --'
    api.ok(
        "datastore_create",
        ds.editor,
        resource_id=ds.public_resource,
        fields=[{"id": name, "type": "text"}],
        records=[{name: "v"}],
    )
    quoted = '"' + name.replace('"', '""') + '"'  # SQL-style quoting, as CKAN's sort takes it
    found = api.ok("datastore_search", resource_id=ds.public_resource, sort=f"{quoted} desc")
    assert found["records"][0][name] == "v"


def test_delete_rows_then_the_table(api, ds):  # type: ignore[no-untyped-def]
    _create(api, ds)
    api.ok("datastore_delete", ds.editor, resource_id=ds.public_resource, filters={"ward": "中央"})
    assert api.ok("datastore_search", resource_id=ds.public_resource)["total"] == 1
    api.ok("datastore_delete", ds.editor, resource_id=ds.public_resource)
    api.error("datastore_search", status=404, resource_id=ds.public_resource)
    assert api.ok("resource_show", id=ds.public_resource)["datastore_active"] is False


def test_info_reports_fields_count_and_size(api, ds):  # type: ignore[no-untyped-def]
    _create(api, ds)
    info = api.ok("datastore_info", id=ds.public_resource)
    assert info["meta"]["count"] == 3
    assert info["meta"]["size"] > 0
    assert info["meta"]["source"] == "api"
    assert [f["id"] for f in info["fields"]] == [f["id"] for f in FIELDS]
    assert info["fields"][2]["schema"]["native_type"] == "BIGINT"


def test_private_tables_are_invisible_and_writes_need_rights(api, ds):  # type: ignore[no-untyped-def]
    api.ok(
        "datastore_create",
        ds.editor,
        resource_id=ds.private_resource,
        fields=[{"id": "secret", "type": "text"}],
        records=[{"secret": "s3"}],
    )
    for caller in (None, ds.outsider):
        missing = api.error("datastore_search", caller, status=404, resource_id=ds.private_resource)
        nowhere = api.error(
            "datastore_search",
            caller,
            status=404,
            resource_id="00000000-0000-0000-0000-000000000000",
        )
        assert missing["message"].replace(ds.private_resource, "X") == nowhere["message"].replace(
            "00000000-0000-0000-0000-000000000000", "X"
        )
        api.error("datastore_info", caller, status=404, id=ds.private_resource)
    assert api.ok("datastore_search", ds.editor, resource_id=ds.private_resource)["total"] == 1
    _create(api, ds)
    api.error(
        "datastore_upsert",
        ds.outsider,
        status=403,
        resource_id=ds.public_resource,
        records=[{"name": "x"}],
    )
    api.error("datastore_delete", None, status=403, resource_id=ds.public_resource)


def test_a_failed_write_keeps_the_previous_version(api, ds, catalog):  # type: ignore[no-untyped-def]
    _create(api, ds)
    folder = catalog.datastore.files.folder(ds.public_resource)
    before = sorted(p.name for p in folder.iterdir())
    api.error(
        "datastore_upsert",
        ds.editor,
        status=409,
        resource_id=ds.public_resource,
        method="insert",
        records=[{"beds": "x"}],
    )
    assert sorted(p.name for p in folder.iterdir()) == before  # no stray version or staging file
    assert api.ok("datastore_search", resource_id=ds.public_resource)["total"] == 3


def test_resource_deletion_removes_the_table_files(api, ds, catalog):  # type: ignore[no-untyped-def]
    _create(api, ds)
    folder = catalog.datastore.files.folder(ds.public_resource)
    assert any(folder.iterdir())
    api.ok("resource_delete", ds.editor, id=ds.public_resource)
    assert not folder.exists()
