"""The MQA metadata score: every indicator loses exactly its points, and only its points."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from renkei.quality import mqa
from renkei.quality.findings import Severity
from renkei.quality.mqa import Reach, band, score_dataset

POINT = json.dumps({"type": "Point", "coordinates": [134.05, 34.34]})


def full() -> dict[str, Any]:
    """A dataset that meets every indicator (with its one upload answering): 405 points."""
    return {
        "id": "d1",
        "name": "aed",
        "title": "AED設置場所",
        "notes": "高松市内の AED 設置場所一覧",
        "tags": [{"name": "AED"}],
        "groups": [{"name": "health", "title": "健康・福祉"}],
        "extras": [
            {"key": "spatial", "value": POINT},
            {"key": "temporal_start", "value": "2024-04-01"},
            {"key": "access_rights", "value": "PUBLIC"},
            {"key": "rights", "value": "© 高松市"},
        ],
        "license_id": "cc-by-4.0",
        "maintainer": "高松市 健康福祉局",
        "maintainer_email": "kenkou@city.takamatsu.example.jp",
        "organization": {"name": "takamatsu", "title": "高松市"},
        "owner_org": "o1",
        "metadata_created": "2024-04-01T00:00:00",
        "metadata_modified": "2024-05-01T00:00:00",
        "resources": [resource("r1")],
    }


def resource(rid: str, **fields: Any) -> dict[str, Any]:
    data = {
        "id": rid,
        "name": f"{rid}.csv",
        "url": f"https://example.org/{rid}.csv",
        "url_type": "upload",
        "format": "CSV",
        "mimetype": "text/csv",
        "size": 1234,
    }
    data.update(fields)
    return data


ANSWERS = {"r1": Reach(access=True, download=True)}


def extras_without(key: str) -> Callable[[dict[str, Any]], None]:
    def change(d: dict[str, Any]) -> None:
        d["extras"] = [e for e in d["extras"] if e["key"] != key]

    return change


def set_extra(key: str, value: str) -> Callable[[dict[str, Any]], None]:
    def change(d: dict[str, Any]) -> None:
        extras_without(key)(d)
        d["extras"].append({"key": key, "value": value})

    return change


def on_resource(**fields: Any) -> Callable[[dict[str, Any]], None]:
    def change(d: dict[str, Any]) -> None:
        d["resources"][0].update(fields)

    return change


def test_a_complete_dataset_scores_all_405_points_and_is_excellent() -> None:
    result = score_dataset(full(), ANSWERS)
    assert result.score.points == 405 == mqa.MAX_POINTS
    assert result.score.band == "excellent"
    assert result.score.findings == []
    assert result.dimensions == {
        "findability": {"points": 100, "max_points": 100},
        "accessibility": {"points": 100, "max_points": 100},
        "interoperability": {"points": 110, "max_points": 110},
        "reusability": {"points": 75, "max_points": 75},
        "contextuality": {"points": 20, "max_points": 20},
    }


CASES: list[tuple[str, Callable[[dict[str, Any]], None], dict[str, float]]] = [
    ("keyword", lambda d: d.update(tags=[]), {"mqa.findability.keyword": 30}),
    ("theme", lambda d: d.update(groups=[]), {"mqa.findability.theme": 30}),
    ("spatial", extras_without("spatial"), {"mqa.findability.spatial": 20}),
    (
        "spatial unreadable",
        set_extra("spatial", "高松市"),
        {"mqa.findability.spatial": 20, "mqa.interoperability.dcat_ap_compliance": 30},
    ),
    ("temporal", extras_without("temporal_start"), {"mqa.findability.temporal": 20}),
    (
        "download url",
        on_resource(url_type=None),
        {"mqa.accessibility.download_url": 20, "mqa.accessibility.download_url_status": 30},
    ),
    (
        "format",
        on_resource(format=""),
        {
            "mqa.interoperability.format": 20,
            "mqa.interoperability.format_media_type_vocabulary": 10,
            "mqa.interoperability.non_proprietary": 20,
            "mqa.interoperability.machine_readable": 20,
        },
    ),
    ("media type", on_resource(mimetype=None), {"mqa.interoperability.media_type": 10}),
    (
        "media type not in vocabulary",
        on_resource(mimetype="text/x-made-up"),
        {"mqa.interoperability.format_media_type_vocabulary": 10},
    ),
    (
        "proprietary but machine-readable",
        on_resource(format="XLSX", mimetype=None),
        {"mqa.interoperability.non_proprietary": 20, "mqa.interoperability.media_type": 10},
    ),
    (
        "open but not machine-readable",
        on_resource(format="PDF", mimetype="application/pdf"),
        {"mqa.interoperability.machine_readable": 20},
    ),
    (
        "no licence",
        lambda d: d.update(license_id=None),
        {"mqa.reusability.license": 20, "mqa.reusability.license_vocabulary": 10},
    ),
    (
        "access rights",
        extras_without("access_rights"),
        {"mqa.reusability.access_rights": 10, "mqa.reusability.access_rights_vocabulary": 5},
    ),
    (
        "access rights not from the vocabulary",
        set_extra("access_rights", "誰でも"),
        {"mqa.reusability.access_rights_vocabulary": 5},
    ),
    (
        "contact point",
        lambda d: d.update(maintainer=None, maintainer_email=None),
        {"mqa.reusability.contact_point": 20},
    ),
    (
        "publisher",
        lambda d: d.update(organization=None, owner_org=None),
        {"mqa.reusability.publisher": 10},
    ),
    ("rights", extras_without("rights"), {"mqa.contextuality.rights": 5}),
    ("byte size", on_resource(size=None), {"mqa.contextuality.byte_size": 5}),
    (
        "issued",
        lambda d: d.update(metadata_created=None),
        {"mqa.contextuality.date_issued": 5},
    ),
    (
        "modified",
        lambda d: d.update(metadata_modified="not a date"),
        {"mqa.contextuality.date_modified": 5},
    ),
    (
        "dcat-ap: no description",
        lambda d: d.update(notes=""),
        {"mqa.interoperability.dcat_ap_compliance": 30},
    ),
    (
        "dcat-ap: contact e-mail is no address",
        lambda d: d.update(maintainer_email="kenkou at city"),
        {"mqa.interoperability.dcat_ap_compliance": 30},
    ),
]


@pytest.mark.parametrize(("label", "change", "lost"), CASES, ids=[c[0] for c in CASES])
def test_each_indicator_loses_exactly_its_points(
    label: str, change: Callable[[dict[str, Any]], None], lost: dict[str, float]
) -> None:
    dataset = full()
    change(dataset)
    result = score_dataset(dataset, ANSWERS)
    by_rule: dict[str, float] = {}
    for finding in result.score.findings:
        by_rule[finding.rule] = by_rule.get(finding.rule, 0) + finding.points_lost
        assert finding.message and finding.message_ja and finding.fix and finding.fix_ja
    assert by_rule == lost
    assert result.score.points == 405 - sum(lost.values())


def test_a_lost_point_names_where_it_is() -> None:
    dataset = full()
    dataset["resources"][0]["format"] = ""
    finding = next(
        f
        for f in score_dataset(dataset, ANSWERS).score.findings
        if f.rule == "mqa.interoperability.format"
    )
    assert finding.location.resource_id == "r1"
    assert finding.location.field == "format"
    assert finding.severity is Severity.warning


def test_links_not_checked_get_no_points_and_say_so() -> None:
    result = score_dataset(full(), {})  # nothing checked
    lost = {f.rule: f for f in result.score.findings}
    assert set(lost) == {
        "mqa.accessibility.access_url_status",
        "mqa.accessibility.download_url_status",
    }
    assert all(f.severity is Severity.info for f in lost.values())
    assert "renkei quality scan --links" in lost["mqa.accessibility.access_url_status"].fix
    assert result.score.points == 405 - 50 - 30


def test_a_url_that_does_not_answer_is_an_error() -> None:
    result = score_dataset(full(), {"r1": Reach(access=False, download=False, note="HTTP 404")})
    broken = [f for f in result.score.findings if f.severity is Severity.error]
    assert {f.rule for f in broken} == {
        "mqa.accessibility.access_url_status",
        "mqa.accessibility.download_url_status",
    }
    assert "HTTP 404" in broken[0].message


def test_repeated_distributions_count_by_share() -> None:
    dataset = full()
    dataset["resources"] = [
        resource("r1"),
        resource("r2", format="PDF", mimetype="application/pdf"),
        resource("r3"),
        resource("r4", size=None),
    ]
    answers = {rid: Reach(True, True) for rid in ("r1", "r2", "r3", "r4")}
    result = score_dataset(dataset, answers)
    lost = {f.rule: (f.points_lost, f.location.resource_id) for f in result.score.findings}
    assert lost == {
        "mqa.interoperability.machine_readable": (5, "r2"),  # 20 / 4 resources
        "mqa.contextuality.byte_size": (1.25, "r4"),  # 5 / 4
    }
    assert result.score.points == 405 - 5 - 1.25


def test_without_resources_no_distribution_points() -> None:
    dataset = full()
    dataset["resources"] = []
    result = score_dataset(dataset, {})
    distribution_points = sum(
        weight
        for (dim, ind), weight in mqa.WEIGHTS.items()
        if dim in ("accessibility",)
        or ind
        in (
            "format",
            "media_type",
            "format_media_type_vocabulary",
            "non_proprietary",
            "machine_readable",
            "rights",
            "byte_size",
        )
    )
    assert distribution_points == 190
    assert result.score.points == 405 - 190


def test_explicit_issued_and_modified_extras_win_over_the_record_dates() -> None:
    dataset = full()
    dataset["extras"].append({"key": "issued", "value": "令和6年"})
    result = score_dataset(dataset, ANSWERS)
    rules = {f.rule for f in result.score.findings}
    assert rules == {"mqa.contextuality.date_issued", "mqa.interoperability.dcat_ap_compliance"}


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        (405, "excellent"),
        (351, "excellent"),
        (350.5, "good"),
        (221, "good"),
        (220, "sufficient"),
        (121, "sufficient"),
        (120, "bad"),
        (0, "bad"),
    ],
)
def test_bands(points: float, expected: str) -> None:
    assert band(points) == expected


def test_the_weights_are_the_published_ones() -> None:
    per_dimension: dict[str, int] = {}
    for (dim, _), weight in mqa.WEIGHTS.items():
        per_dimension[dim] = per_dimension.get(dim, 0) + weight
    assert per_dimension == {
        "findability": 100,
        "accessibility": 100,
        "interoperability": 110,
        "reusability": 75,
        "contextuality": 20,
    }


def test_the_input_is_not_changed() -> None:
    dataset = full()
    before = copy.deepcopy(dataset)
    score_dataset(dataset, ANSWERS)
    assert dataset == before


# --- DCAT-AP compliance by the official SHACL shapes, on the node's DCAT export ---------------


def validator() -> Any:
    from renkei.quality.dcat_ap import DcatApValidator

    return DcatApValidator("https://node.example", "ja")


def test_the_shacl_shapes_pass_a_complete_dataset() -> None:
    assert validator()(full()) == []
    assert score_dataset(full(), ANSWERS, validator()).score.points == 405


def test_the_shacl_shapes_name_each_violation() -> None:
    dataset = full()
    dataset["notes"] = ""
    dataset["resources"][0]["format"] = "謎の形式"  # not a file type: stays a literal
    violations = validator()(dataset)
    fields = [field for field, _, _ in violations]
    assert "dct:description" in fields
    assert "resources[r1].dct:format" in fields
    result = score_dataset(dataset, ANSWERS, validator())
    dcat_ap = [f for f in result.score.findings if f.rule.endswith("dcat_ap_compliance")]
    assert len(dcat_ap) == len(violations)
    assert sum(f.points_lost for f in dcat_ap) == 30  # all or nothing
    assert all(f.severity is Severity.error for f in dcat_ap)
    assert any("dct:description" in f.message and f.message_ja for f in dcat_ap)
