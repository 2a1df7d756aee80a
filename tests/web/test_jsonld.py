"""The JSON-LD embedded in dataset pages: schema.org for search engines, DCAT for harvesters."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import Site


def _blocks(client: TestClient, path: str, lang: str = "ja") -> list[dict[str, Any]]:
    html = client.get(path, params={"lang": lang}).text
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in found]


def test_schema_org_dataset(client: TestClient, site: Site) -> None:
    schema, _ = _blocks(client, f"/dataset/{site.public}")
    assert schema["@context"] == "https://schema.org"
    assert schema["@type"] == "Dataset"
    assert schema["url"] == f"http://testserver/dataset/{site.public}"
    assert schema["name"] == "避難所一覧"
    assert schema["description"] == "市内の避難所の一覧です。"  # Markdown made plain text
    assert schema["keywords"] == ["避難所", "防災"]
    assert schema["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert schema["publisher"]["name"] == "テスト市"
    assert schema["distribution"] == [
        {
            "@type": "DataDownload",
            "name": "一覧 (CSV)",
            "encodingFormat": "CSV",
            "contentUrl": "https://example.org/shelters.csv",
        }
    ]
    assert schema["spatialCoverage"]["geo"]["box"] == "34.3 134.0 34.3 134.0"
    english, _ = _blocks(client, f"/dataset/{site.public}", lang="en")
    assert english["name"] == "List of shelters" and english["inLanguage"] == "en"


# rdflib's own JSON-LD parser still builds a ConjunctiveGraph internally.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_dcat_reads_as_rdf_offline(client: TestClient, site: Site) -> None:
    # Imported here: pytest's collection probes module attributes, and rdflib's namespaces
    # warn about every unknown name they are asked for.
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import DCAT, DCTERMS, RDF

    _, dcat = _blocks(client, f"/dataset/{site.public}")
    graph = Graph().parse(data=json.dumps(dcat), format="json-ld")  # inline context: no fetch
    dataset = URIRef(f"http://testserver/dataset/{site.public}")
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    titles = set(graph.objects(dataset, DCTERMS.title))
    assert titles == {Literal("避難所一覧", lang="ja"), Literal("List of shelters", lang="en")}
    assert set(graph.objects(dataset, DCAT.keyword)) == {Literal("防災"), Literal("避難所")}
    publisher = URIRef(f"http://testserver/organization/{site.org}")
    assert (dataset, DCTERMS.publisher, publisher) in graph
    assert (dataset, DCAT.theme, URIRef("http://testserver/group/disaster")) in graph
    (distribution,) = graph.objects(dataset, DCAT.distribution)
    assert (distribution, RDF.type, DCAT.Distribution) in graph
    assert (distribution, DCAT.accessURL, URIRef("https://example.org/shelters.csv")) in graph
    # Known formats are EU file-type IRIs, as DCAT-AP's dct:format takes them.
    csv = URIRef("http://publications.europa.eu/resource/authority/file-type/CSV")
    assert (distribution, DCTERMS.format, csv) in graph
    license_url = URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert (dataset, DCTERMS.license, license_url) in graph
    (spatial,) = graph.objects(dataset, DCTERMS.spatial)
    (bbox,) = graph.objects(spatial, DCAT.bbox)
    assert str(bbox).startswith("POLYGON((134.0 34.3")


def test_private_dataset_json_ld_only_for_those_who_see_it(client: TestClient, site: Site) -> None:
    assert client.get(f"/dataset/{site.private}").status_code == 404
