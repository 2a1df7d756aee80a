"""Downloads of tables and query results in every format, with access rules of the dataset."""

from __future__ import annotations

import io
import json

import pyarrow.parquet as pq

from tests.datastore.test_actions import FIELDS, RECORDS


def _table(api, ds, resource=None):  # type: ignore[no-untyped-def]
    api.ok(
        "datastore_create",
        ds.editor,
        resource_id=resource or ds.public_resource,
        fields=FIELDS,
        records=RECORDS,
    )


def test_csv_utf8_with_bom_and_cp932(api, ds, client):  # type: ignore[no-untyped-def]
    _table(api, ds)
    plain = client.get(f"/datastore/dump/{ds.public_resource}")
    assert plain.status_code == 200
    assert plain.headers["content-type"].startswith("text/csv")
    assert "attachment" in plain.headers["content-disposition"]
    lines = plain.content.decode("utf-8").splitlines()
    assert lines[0] == "_id,name,ward,beds,opened,lat"
    assert lines[1] == "1,高松市民病院,中央,200,1950-04-01,34.3"
    excel = client.get(f"/datastore/dump/{ds.public_resource}?bom=true")
    assert excel.content.startswith(b"\xef\xbb\xbf_id,")
    sjis = client.get(f"/datastore/dump/{ds.public_resource}?encoding=cp932")
    assert sjis.content.decode("cp932").splitlines()[1].startswith("1,高松市民病院")


def test_cp932_refuses_characters_it_cannot_carry(api, ds, client):  # type: ignore[no-untyped-def]
    api.ok(
        "datastore_create",
        ds.editor,
        resource_id=ds.public_resource,
        fields=[{"id": "name", "type": "text"}],
        records=[{"name": "吉田"}, {"name": "𠮷田"}],
    )
    response = client.get(f"/datastore/dump/{ds.public_resource}?encoding=cp932")
    assert response.status_code == 409
    message = response.json()["error"]["encoding"][0]
    assert "line 3" in message and "U+20BB7" in message


def test_search_parameters_select_the_rows(api, ds, client):  # type: ignore[no-untyped-def]
    _table(api, ds)
    filters = json.dumps({"ward": "中央"})
    response = client.get(
        f"/datastore/dump/{ds.public_resource}",
        params={"format": "json", "filters": filters, "fields": "name,beds", "sort": "beds"},
    )
    assert response.json() == [
        {"name": "Sunport Clinic", "beds": 19},
        {"name": "高松市民病院", "beds": 200},
    ]


def test_parquet_and_tsv(api, ds, client):  # type: ignore[no-untyped-def]
    _table(api, ds)
    parquet = client.get(f"/datastore/dump/{ds.public_resource}?format=parquet")
    table = pq.read_table(io.BytesIO(parquet.content))
    assert table.num_rows == 3 and table.column("beds").to_pylist() == [200, None, 19]
    tsv = client.get(f"/datastore/dump/{ds.public_resource}?format=tsv")
    assert tsv.text.splitlines()[0].split("\t")[:2] == ["_id", "name"]


def test_geojson_from_latitude_and_longitude(api, ds, client):  # type: ignore[no-untyped-def]
    api.ok(
        "datastore_create",
        ds.editor,
        resource_id=ds.public_resource,
        fields=[
            {"id": "name", "type": "text"},
            {"id": "緯度", "type": "float", "info": {"role": "latitude"}},
            {"id": "経度", "type": "float", "info": {"role": "longitude"}},
        ],
        records=[{"name": "AED", "緯度": 34.34, "経度": 134.04}],
    )
    collection = client.get(f"/datastore/dump/{ds.public_resource}?format=geojson").json()
    feature = collection["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [134.04, 34.34]}
    assert feature["properties"]["name"] == "AED"
    _ = client.get(f"/datastore/dump/{ds.public_resource}?format=xml")
    assert _.status_code == 409


def test_geojson_needs_coordinates(api, ds, client):  # type: ignore[no-untyped-def]
    _table(api, ds)
    response = client.get(f"/datastore/dump/{ds.public_resource}?format=geojson")
    assert response.status_code == 409
    assert "latitude/longitude" in response.json()["error"]["format"][0]


def test_private_tables_are_not_downloadable_without_rights(api, ds, client):  # type: ignore[no-untyped-def]
    _table(api, ds, ds.private_resource)
    assert client.get(f"/datastore/dump/{ds.private_resource}").status_code == 404
    outsider = client.get(
        f"/datastore/dump/{ds.private_resource}", headers={"Authorization": ds.outsider}
    )
    assert outsider.status_code == 404
    editor = client.get(
        f"/datastore/dump/{ds.private_resource}", headers={"Authorization": ds.editor}
    )
    assert editor.status_code == 200


def test_a_sql_query_result_downloads(api, ds, client):  # type: ignore[no-untyped-def]
    _table(api, ds)
    sql = (
        f'SELECT ward, count(*) AS n, min(opened) AS first FROM "{ds.public_resource}" '
        "GROUP BY ward ORDER BY ward"
    )
    as_csv = client.get("/datastore/query", params={"sql": sql, "encoding": "cp932"})
    assert as_csv.status_code == 200
    assert as_csv.content.decode("cp932").splitlines() == [
        "ward,n,first",
        "中央,2,1950-04-01",
        "北,1,2001-10-05",
    ]
    as_parquet = client.get("/datastore/query", params={"sql": sql, "format": "parquet"})
    assert pq.read_table(io.BytesIO(as_parquet.content)).column("n").to_pylist() == [2, 1]
    refused = client.get("/datastore/query", params={"sql": "DROP TABLE x"})
    assert refused.status_code == 403
    private = client.get(
        "/datastore/query", params={"sql": f'SELECT * FROM "{ds.private_resource}"'}
    )
    assert private.status_code == 409
