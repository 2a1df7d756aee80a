"""5-star openness: content first, then extension, then declared format; 0 when broken or closed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from renkei.quality.findings import Severity
from renkei.quality.openness import dataset_openness, resource_openness, sniff

BEES = "dcat/dcat-ap-3.0.1-examples/example-bee-population-dataset-series-combined"


def head(path: Path) -> bytes:
    return path.read_bytes()[: 64 * 1024]


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("csv-ja/takamatsu_0002_aed.csv", "CSV"),
        ("csv-ja/takamatsu_0002_aed.cp932.csv", "CSV"),
        ("csv-ja/takamatsu_0002_aed.utf16.csv", "CSV"),
        ("csv-ja/tokyo_taito_public_toilets_sisetu_28.cp932.csv", "CSV"),
        ("csv-ja/takamatsu_0002_aed.xlsx", "XLSX"),
        ("csv-ja/takamatsu_evacuation_space.xlsx", "XLSX"),
        ("geo/gsi_emergency_372013_takamatsu.geojson", "GEOJSON"),
        (f"{BEES}.ttl", "RDF_TURTLE"),
        (f"{BEES}.jsonld", "JSON_LD"),
        ("dcat/real-records/nobelprize-org_catalog.rdf", "RDF_XML"),
    ],
)  # fmt: skip
def test_sniffing_real_files(
    fixture_file: Callable[[str], Path], fixture: str, expected: str
) -> None:
    assert sniff(head(fixture_file(fixture))).type_id == expected


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.7\n...", "PDF"),
        (b"\x89PNG\r\n\x1a\n....", "PNG"),
        (b"<!DOCTYPE html><html><body>AED</body></html>", "HTML"),
        (b'<?xml version="1.0"?><shelters><s id="1"/></shelters>', "XML"),
        (b'{"rows": [1, 2]}', "JSON"),
        ("名称,住所\n高松市役所,番町1-8-15\n".encode("cp932"), "CSV"),
        (b"a\tb\n1\t2\n3\t4\n", "TSV"),
        ("お知らせ: 更新しました。".encode(), "TXT"),
        (b"\x00\x01\x02\x03binary", None),
        (b"", None),
    ],
)
def test_sniffing_minimal_examples(content: bytes, expected: str | None) -> None:
    assert sniff(content).type_id == expected


def test_a_csv_sample_cut_mid_character_is_still_csv() -> None:
    text = ("名称,住所\n" + "高松市役所,番町一丁目\n" * 50).encode()
    assert sniff(text[:-1]).type_id == "CSV"  # the last character is cut in half


def res(**fields: Any) -> dict[str, Any]:
    data = {"id": "r1", "name": "data", "url": "https://city.example.jp/files/data", "format": ""}
    data.update(fields)
    return data


def test_broken_link_scores_zero_with_the_reason() -> None:
    score = resource_openness(res(format="CSV"), "cc-by-4.0", available=False)
    assert score.points == 0
    assert [f.rule for f in score.findings] == ["openness.unavailable"]
    assert score.findings[0].severity is Severity.error
    assert score.findings[0].points_lost == 5


@pytest.mark.parametrize("license_id", [None, "cc-nc", "other-closed"])
def test_a_licence_that_is_not_open_scores_zero(license_id: str | None) -> None:
    score = resource_openness(res(format="CSV"), license_id, available=True, head=b"a,b\n1,2\n")
    assert score.points == 0
    assert score.findings[0].rule == "openness.licence"


def test_content_wins_over_extension_and_declared_format() -> None:
    csv = "名称,住所\n高松市役所,番町1-8-15\n公園,栗林町\n".encode()
    xlsx = res(url="https://city.example.jp/aed.xlsx", format="XLSX")
    score = resource_openness(xlsx, "pdl-1.0", available=True, head=csv)
    assert score.points == 3
    rules = [f.rule for f in score.findings]
    assert rules == ["openness.3-star", "openness.format-mismatch"]
    assert "from the content" in score.findings[0].message


def test_extension_is_used_when_the_content_is_unknown() -> None:
    score = resource_openness(
        res(url="https://city.example.jp/aed.json", format="PDF"), "pdl-1.0", available=True
    )
    assert score.points == 3
    assert "from the extension" in score.findings[0].message


def test_declared_format_is_the_last_resort() -> None:
    score = resource_openness(res(format="XLS"), "pdl-1.0", available=True)
    assert score.points == 2
    assert "from the declared format" in score.findings[0].message


def test_an_unknown_format_is_one_star() -> None:
    score = resource_openness(res(format="謎"), "pdl-1.0", available=True)
    assert score.points == 1
    assert score.findings[0].rule == "openness.format-unknown"


def test_rdf_is_four_stars_and_five_when_it_links_to_other_data() -> None:
    only_vocab = b"@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<#d> a dcat:Dataset .\n"
    linked = (
        only_vocab
        + b"<#d> <http://purl.org/dc/terms/spatial> <https://data.example.org/area/37201> .\n"
    )  # noqa: E501
    four = resource_openness(res(), "cc-by-4.0", available=True, head=only_vocab)
    five = resource_openness(res(), "cc-by-4.0", available=True, head=linked)
    assert (four.points, five.points) == (4, 5)
    assert four.findings[0].rule == "openness.4-star"
    assert five.findings == []


def test_links_to_its_own_host_are_not_links_to_other_data() -> None:
    own = b'{"@context": {}, "@id": "https://city.example.jp/aed/1", "near": "https://city.example.jp/x"}'
    score = resource_openness(
        res(url="https://city.example.jp/aed.jsonld"), "cc-by-4.0", available=True, head=own
    )
    assert score.points == 4


def test_unchecked_links_say_so() -> None:
    score = resource_openness(res(format="CSV"), "cc-by-4.0", available=None)
    assert score.points == 3
    assert score.findings[0].rule == "openness.unchecked"
    assert score.findings[0].severity is Severity.info


def test_uploads_do_not_use_the_download_url_extension() -> None:
    # An upload's URL ends with its original file name: the content decides, not the name.
    upload = res(url="https://node.example/dataset/x/resource/r1/download/a.pdf", url_type="upload")
    score = resource_openness(upload, "cc-by-4.0", available=True, head=b"a,b\n1,2\n3,4\n")
    assert score.points == 3


def test_a_dataset_has_its_best_resource_stars() -> None:
    scores = [
        resource_openness(res(id="a", format="PDF"), "cc-by-4.0", available=True),
        resource_openness(res(id="b", format="CSV"), "cc-by-4.0", available=True),
        resource_openness(res(id="c", format="CSV"), "cc-by-4.0", available=False),
    ]
    dataset = dataset_openness(scores)
    assert dataset.points == 3
    assert dataset.band == "3-star"
    assert {f.location.resource_id for f in dataset.findings} == {"a", "b", "c"}
    empty = dataset_openness([])
    assert empty.points == 0
    assert [f.rule for f in empty.findings] == ["openness.no-resources"]
