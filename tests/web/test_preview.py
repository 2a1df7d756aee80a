"""Resource pages and their previews, on real Japanese open-data files."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from renkei.catalog import packages, resources, users
from renkei.catalog.context import Catalog
from renkei.catalog.resources import Upload
from renkei.web import preview
from tests.web.conftest import Site, login


def test_cp932_table_with_comment_header_and_coordinates(
    fixture_file: Callable[[str], Path],
) -> None:
    """Takamatsu's format: '#' metadata lines, '#property' naming the columns, "lat,lon" in one
    cell; the CP932 copy reads the same as the UTF-8 one."""
    utf8 = preview.table_preview(fixture_file("csv-ja/takamatsu_0002_aed.csv"), "CSV")
    cp932 = preview.table_preview(fixture_file("csv-ja/takamatsu_0002_aed.cp932.csv"), "CSV")
    assert cp932.encoding == "cp932" and utf8.encoding == "utf-8"
    assert cp932.columns == utf8.columns and cp932.rows == utf8.rows
    assert cp932.columns[:3] == ["#", "name", "address"]
    assert cp932.rows[0][1] == "健康増進施設サラマンダー"
    assert cp932.types[0] == "integer" and cp932.types[1] == "text"
    assert len(cp932.rows) == preview.TABLE_ROWS and cp932.truncated
    assert cp932.comments[0].startswith("#LINK")
    points = cp932.points
    assert points is not None and len(points["features"]) > 500
    lon, lat = points["features"][0]["geometry"]["coordinates"]
    assert 133 < lon < 135 and 34 < lat < 35  # Takamatsu, axes in GeoJSON order
    assert points["features"][0]["properties"]["label"] == "健康増進施設サラマンダー"


def test_the_property_line_names_the_columns(fixture_file: Callable[[str], Path]) -> None:
    """Even when the first data row doesn't look like data (ids that are not numbers)."""
    table = preview.table_preview(fixture_file("csv-ja/takamatsu_0062_medical.csv"), "CSV")
    assert table.columns[:3] == ["#", "address", "alternativeName"]
    assert table.rows[0][0] == "jp.takamatsu.smartcity.medical.Hospital.1"


def test_numeric_columns_get_a_histogram(fixture_file: Callable[[str], Path]) -> None:
    path = fixture_file("csv-ja/takamatsu_0066_201811_population.csv")
    table = preview.table_preview(path, "CSV")
    charts = {c["column"]: c for c in table.charts}
    assert "totalPopulation" in charts
    assert "prefCode" not in charts and "#" not in charts  # codes and ids are not quantities
    total = charts["totalPopulation"]
    assert sum(b["count"] for b in total["bins"]) == total["count"] == table.rows_read
    assert total["bins"][0]["from"] == total["min"] and total["bins"][-1]["to"] == total["max"]


def test_latitude_and_longitude_columns(fixture_file: Callable[[str], Path]) -> None:
    table = preview.table_preview(fixture_file("csv-ja/nanao_shelter_reference_data.csv"), "CSV")
    assert "緯度" in table.columns and "経度" in table.columns
    assert table.points is not None
    lon, lat = table.points["features"][0]["geometry"]["coordinates"]
    assert (lat, lon) == (37.04826, 136.96136)
    assert table.types[table.columns.index("緯度")] == "number"


def test_geojson_in_a_plane_rectangular_crs_is_reprojected(
    fixture_file: Callable[[str], Path],
) -> None:
    data = preview.geojson_preview(fixture_file("geo/nanao_open_shelter_epsg6675.geojson"))
    assert "crs" not in data
    lon, lat = data["features"][0]["geometry"]["coordinates"]
    assert 136.9 < lon < 137.1 and 37.0 < lat < 37.1  # Nanao, not metres of zone VII


def test_not_geojson_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.geojson"
    path.write_text('{"hello": "world"}')
    with pytest.raises(preview.NotPreviewable):
        preview.geojson_preview(path)


def _upload(
    catalog: Catalog, user_id: str, dataset: str, path: Path, fmt: str | None = None
) -> dict[str, Any]:
    with catalog.context(user_id) as ctx:
        staged = ctx.blobs.stage(10 * 1024 * 1024)
        staged.write(path.read_bytes())
        staged.finish()
        upload = Upload(filename=path.name, content_type=None, staged=staged)
        data = {"package_id": dataset, "name": path.name}
        if fmt:
            data["format"] = fmt
        created = resources.resource_create(ctx, data, upload)
    # Tables are loaded into the DataStore in the background; the page then shows that.
    assert catalog.datastore is not None and catalog.datastore.jobs.join(timeout=60)
    return created


def _admin_id(catalog: Catalog, site: Site) -> str:
    with catalog.context() as ctx:
        return users.get_user(ctx, site.admin).id


def test_resource_page_previews_a_csv_table_and_answers_json(
    client: TestClient, catalog: Catalog, site: Site, fixture_file: Callable[[str], Path]
) -> None:
    csv_path = fixture_file("csv-ja/tokyo_taito_public_toilets_sisetu_28.cp932.csv")
    res = _upload(catalog, _admin_id(catalog, site), site.public, csv_path)
    path = f"/dataset/{site.public}/resource/{res['id']}"
    page = client.get(path, params={"lang": "en"})
    assert page.status_code == 200
    assert "上野公園大黒天横公衆トイレ" in page.text
    assert "from the DataStore" in page.text
    assert f'href="/datastore/dump/{res["id"]}?encoding=cp932"' in page.text
    data = client.get(path + ".json").json()
    assert data["resource"]["id"] == res["id"]
    assert data["preview"]["kind"] == "table"
    table = data["preview"]["table"]
    assert table["source"] == "datastore" and table["total"] == 75
    assert (table["first"], table["last"]) == (1, 75)
    # From the dataset page, each resource links to its page.
    assert path in client.get(f"/dataset/{site.public}").text


def test_before_the_datastore_has_the_table_the_file_is_previewed(
    client: TestClient, catalog: Catalog, site: Site, fixture_file: Callable[[str], Path]
) -> None:
    catalog.resource_listeners.clear()  # as while the load is still queued
    csv_path = fixture_file("csv-ja/tokyo_taito_public_toilets_sisetu_28.cp932.csv")
    res = _upload(catalog, _admin_id(catalog, site), site.public, csv_path)
    data = client.get(f"/dataset/{site.public}/resource/{res['id']}.json").json()
    table = data["preview"]["table"]
    assert table["source"] == "file" and table["encoding"] == "cp932"
    assert table["rows"][0][2] == "池ノ端弁天前公衆トイレ"


def test_a_large_datastore_table_is_paged(
    client: TestClient, catalog: Catalog, site: Site, tmp_path: Path
) -> None:
    big = tmp_path / "counts.csv"
    big.write_text("地区,人数\n" + "".join(f"地区{i},{i}\n" for i in range(250)), encoding="utf-8")
    res = _upload(catalog, _admin_id(catalog, site), site.public, big)
    path = f"/dataset/{site.public}/resource/{res['id']}"
    third = client.get(path + ".json", params={"page": 3}).json()["preview"]
    assert (third["table"]["first"], third["table"]["last"], third["table"]["total"]) == (
        201,
        250,
        250,
    )
    assert third["table"]["rows"][0] == ["地区200", "200"]
    assert third["pages"]["last"] == 3 and third["pages"]["next"] is None
    # The histogram covers every row of the table, not only the page.
    assert third["table"]["charts"][0]["count"] == 250
    html = client.get(path, params={"page": 2, "lang": "en"}).text
    assert "Page 2 of 3" in html and 'rel="next"' in html and 'rel="prev"' in html


def test_resource_page_draws_the_histograms(
    client: TestClient, catalog: Catalog, site: Site, fixture_file: Callable[[str], Path]
) -> None:
    csv_path = fixture_file("csv-ja/takamatsu_0066_201811_population.csv")
    res = _upload(catalog, _admin_id(catalog, site), site.public, csv_path)
    html = client.get(f"/dataset/{site.public}/resource/{res['id']}", params={"lang": "en"}).text
    assert 'aria-label="Histogram of totalPopulation"' in html
    assert html.count("<rect ") >= 12


def test_geojson_resource_is_served_in_wgs84_for_the_map(
    client: TestClient, catalog: Catalog, site: Site, fixture_file: Callable[[str], Path]
) -> None:
    geo = fixture_file("geo/nanao_open_shelter_epsg6675.geojson")
    res = _upload(catalog, _admin_id(catalog, site), site.public, geo, "GeoJSON")
    path = f"/dataset/{site.public}/resource/{res['id']}"
    page = client.get(path)
    assert f'data-geojson-url="{path}/preview.geojson"' in page.text
    assert "maplibre-gl-csp.js" in page.text
    served = client.get(path + "/preview.geojson")
    assert served.headers["content-type"].startswith("application/geo+json")
    lon, lat = served.json()["features"][0]["geometry"]["coordinates"]
    assert 136.9 < lon < 137.1 and 37.0 < lat < 37.1


def test_file_content_is_escaped(
    client: TestClient, catalog: Catalog, site: Site, tmp_path: Path
) -> None:
    hostile = tmp_path / "hostile.csv"
    hostile.write_text('名前,備考\n"<script>alert(1)</script>","<img src=x onerror=alert(2)>"\n')
    res = _upload(catalog, _admin_id(catalog, site), site.public, hostile)
    html = client.get(f"/dataset/{site.public}/resource/{res['id']}").text
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_private_resources_are_not_found_for_outsiders(
    client: TestClient, catalog: Catalog, site: Site, fixture_file: Callable[[str], Path]
) -> None:
    geo = fixture_file("geo/gsi_evacuation_131016_chiyoda.geojson")
    res = _upload(catalog, _admin_id(catalog, site), site.private, geo, "GeoJSON")
    path = f"/dataset/{site.private}/resource/{res['id']}"
    for url in (path, path + ".json", path + "/preview.geojson"):
        assert client.get(url).status_code == 404, url
    # The same resource id under a public dataset's name is not found either.
    assert client.get(f"/dataset/{site.public}/resource/{res['id']}").status_code == 404
    login(client, site.outsider)
    assert client.get(path).status_code == 404
    client.cookies.clear()
    login(client, site.member)
    assert client.get(path).status_code == 200
    assert client.get(path + "/preview.geojson").json()["type"] == "FeatureCollection"


def test_link_resources_get_no_preview_and_are_never_fetched(
    client: TestClient, catalog: Catalog, site: Site
) -> None:
    with catalog.context() as ctx:
        dataset = packages.package_show(ctx, {"id": site.public})
    res = dataset["resources"][0]
    data = client.get(f"/dataset/{site.public}/resource/{res['id']}.json").json()
    assert data["preview"]["kind"] == "none"
    html = client.get(f"/dataset/{site.public}/resource/{res['id']}").text
    assert json.dumps(res["url"])[1:-1] in html
