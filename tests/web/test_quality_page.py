"""The dataset page shows the quality summary (and its JSON twin carries it)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from renkei.catalog.context import Catalog
from renkei.quality.report import evaluate, gather, save
from renkei.store.tables import Package
from tests.web.conftest import Site


def test_dataset_page_shows_the_quality_summary(
    client: TestClient, catalog: Catalog, site: Site
) -> None:
    html = client.get(f"/dataset/{site.public}").text
    assert "まだ評価されていません。" in html
    assert client.get(f"/dataset/{site.public}.json").json()["dataset"]["quality"] is None

    with catalog.context(write=False) as ctx:
        pkg = ctx.session.query(Package).filter_by(name=site.public).one()
        scan_input = gather(ctx, pkg)
    evaluation = evaluate(scan_input)
    with catalog.context() as ctx:
        save(ctx, evaluation)
    report = evaluation.dataset_report

    data = client.get(f"/dataset/{site.public}.json").json()
    assert data["dataset"]["quality"]["total"] == report["total"]
    assert data["api"]["quality"] == f"http://testserver/api/v1/quality/datasets/{site.public}"
    html = client.get(f"/dataset/{site.public}").text
    band_ja = {"excellent": "優良", "good": "良好", "sufficient": "可", "bad": "不十分"}
    assert band_ja[report["band"]] in html
    assert f"メタデータ: 405 点中 {round(report['total'])} 点" in html
    assert f"オープン度: 5 つ星中 {report['stars']}" in html
    english = client.get(f"/dataset/{site.public}", params={"lang": "en"}).text
    assert f"Metadata: {round(report['total'])} of 405 points" in english
