"""Judged relevance of ``package_search``: nDCG@10 and recall@10 over a fixture catalog.

``relevance/catalog.json`` holds about 200 datasets built from real titles and descriptions
(the demo catalog, the shared CKAN and DCAT records, the roadmap measures of the seed document,
and Japanese municipal titles modelled on the shared csv-ja files), with realistic ambiguity:
川 is in 河川 and in 川崎市, 港 in 港湾 and in 港区, 駅 in 駅別乗降客数 and in 道の駅.
``relevance/judgements.json`` holds the queries, each with graded judgements (2 = exactly what
was asked, 1 = relevant, unlisted = 0) and optional ``must_not`` names (clear false positives).

The catalog is loaded once per backend through the Action API, in a fixed shuffled order, so
that ties broken by recency favour no part of the file. ``pytest -s`` and the terminal summary
show a per-query report: use it to see what a change to search did, and to extend the judgements
(it lists the unjudged datasets that reach a top 10).
"""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from renkei.api.app import build_catalog, create_app
from renkei.catalog import users
from renkei.config import Settings

# Every search backend that Settings offers (``search``); the substring search ("sql") alone
# where there is no choice.
HAS_BACKENDS = "search" in Settings.model_fields
BACKENDS = ["sql", "tantivy"] if HAS_BACKENDS else ["sql"]

# Regression floors per backend, set 0.02 below what each achieved when measured, so that a
# change that makes results worse fails here. RAISE THEM as search improves (the report prints
# the means); never lower them to let a change pass.
# Measured: sql (substring search, renkei.search.sql) nDCG@10 0.770, recall@10 0.736;
#           tantivy (BM25 index, work in progress) nDCG@10 0.858, recall@10 0.828.
FLOOR_NDCG = {"sql": 0.832, "tantivy": 0.916}
FLOOR_RECALL = {"sql": 0.803, "tantivy": 0.889}

# Known misses: queries whose top 10 held must-not datasets when measured (listed here). They
# are still computed and reported, and may not get more of them; every other query must have
# none. Remove an entry once search keeps those false positives out.
_SHARED_MISSES = {
    # 一橋 (a school's name) and 三ノ輪橋 (a tram stop) match 橋
    "橋": {"gsi-designated-shelters-chiyoda", "arakawa-toden-stops"},
    # the ward 港区 matches 港 (ports)
    "港": {"minato-aed", "minato-population", "t131032d0000000271"},
    # "car parks" matches parks
    "parks": {"parking-places-pcc", "takamatsu-parking-lots"},
}
KNOWN_MUST_NOT_MISSES: dict[str, dict[str, set[str]]] = {
    "sql": {
        **_SHARED_MISSES,
        "川": {"arakawa-aed"},  # the ward 荒川区 matches 川 (rivers)
        "park": {
            "parking-account-pcc",
            "takamatsu-parking-lots",
            "takamatsu-station-bicycle-parking",
            "kawasaki-bicycle-parking",
        },
    },
    "tantivy": {
        **_SHARED_MISSES,
        "川": {"kawasaki-aed", "arakawa-aed"},  # 川崎市 and 荒川区 match 川 (rivers)
        "park": {"parking-places-pcc", "takamatsu-parking-lots"},
    },
}

HERE = Path(__file__).parent / "relevance"
K = 10
LOAD_SEED = 20240901  # fixed shuffle of the load order


@dataclass
class Outcome:
    q: str
    cls: str
    ndcg: float
    recall: float
    top: list[str]
    missing: list[str] = field(default_factory=list)
    false_positives: list[str] = field(default_factory=list)
    unjudged: list[str] = field(default_factory=list)


def _dcg(gains: list[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at_k(ranked: list[str], grades: dict[str, int], k: int = K) -> float:
    ideal = _dcg(sorted(grades.values(), reverse=True)[:k])
    return _dcg([grades.get(n, 0) for n in ranked[:k]]) / ideal if ideal else 0.0


def recall_at_k(ranked: list[str], grades: dict[str, int], k: int = K) -> float:
    """Share of the relevant datasets in the top k, out of at most k (so 1.0 is reachable)."""
    relevant = {n for n, g in grades.items() if g > 0}
    if not relevant:
        return 0.0
    return len(relevant & set(ranked[:k])) / min(k, len(relevant))


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def test_metrics_on_a_known_ranking() -> None:
    grades = {"a": 2, "b": 1, "c": 1}
    assert ndcg_at_k(["a", "b", "c"], grades) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "y"], grades) == 0.0
    assert 0 < ndcg_at_k(["c", "b", "a"], grades) < 1
    assert recall_at_k(["a", "x", "c"], grades) == pytest.approx(2 / 3)
    many = {str(i): 1 for i in range(15)}
    assert recall_at_k([str(i) for i in range(10)], many) == 1.0


def _load(name: str) -> Any:
    return json.loads((HERE / name).read_text(encoding="utf-8"))


def test_judgements_name_datasets_of_the_catalog() -> None:
    names = {d["name"] for d in _load("catalog.json")["datasets"]}
    queries = _load("judgements.json")["queries"]
    assert len(queries) >= 40
    assert len({item["q"] for item in queries}) == len(queries), "a query is judged twice"
    for item in queries:
        judged = [*item["relevant"], *item.get("must_not", [])]
        assert set(judged) <= names, (item["q"], set(judged) - names)
        assert set(item["relevant"].values()) <= {1, 2}, item["q"]
        assert not set(item["relevant"]) & set(item.get("must_not", [])), item["q"]


@pytest.fixture(scope="module", params=BACKENDS)
def search(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Callable[[str], list[str]]]]:
    """A node of its own holding the fixture catalog: (backend, q -> names of the top 10)."""
    backend: str = request.param
    options: dict[str, Any] = {"search": backend} if HAS_BACKENDS else {}
    data_dir = tmp_path_factory.mktemp(f"relevance-{backend}") / "data"
    settings = Settings(data_dir=data_dir, site_url="http://testserver", **options)
    catalog = build_catalog(settings)
    with catalog.context() as ctx:
        admin = users.create_user(ctx, "relevance-admin", sysadmin=True, email="r@example.org")
        _, token = users.create_token(ctx, admin, "relevance")
    data = _load("catalog.json")
    with TestClient(create_app(settings, catalog)) as client:

        def call(action: str, **body: Any) -> Any:
            response = client.post(
                f"/api/3/action/{action}", json=body, headers={"Authorization": token}
            )
            assert response.status_code == 200, (action, body.get("name"), response.json())
            return response.json()["result"]

        for org in data["organizations"]:
            call("organization_create", **org)
        datasets = list(data["datasets"])
        random.Random(LOAD_SEED).shuffle(datasets)
        for dataset in datasets:
            call("package_create", **dataset)

        def top(q: str) -> list[str]:
            return [r["name"] for r in call("package_search", q=q, rows=K, fl="name")["results"]]

        yield backend, top


def _report(backend: str, outcomes: list[Outcome]) -> tuple[str, str]:
    """(each query in detail, the summary: worst queries, classes, means)."""
    lines = [f"[{backend}] {len(outcomes)} judged queries: nDCG@{K} recall@{K} [class] query"]
    for o in outcomes:
        lines.append(f"  {o.ndcg:5.3f} {o.recall:5.3f}  [{o.cls}] {o.q}")
        if o.missing:
            lines.append(f"      missing: {', '.join(o.missing)}")
        if o.false_positives:
            lines.append(f"      must-not in top {K}: {', '.join(o.false_positives)}")
        if o.unjudged:
            lines.append(f"      unjudged in top {K}: {', '.join(o.unjudged)}")
        lines.append(f"      top 5: {', '.join(o.top[:5]) or '(nothing)'}")
    details = "\n".join(lines)
    worst = sorted(outcomes, key=lambda o: (o.ndcg, o.recall))[:10]
    lines = []
    lines.append(f"[{backend}] worst 10: " + ", ".join(f"{o.q} {o.ndcg:.2f}" for o in worst))
    by_class: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_class[o.cls].append(o)
    lines.append(f"[{backend}] per class          n  nDCG  recall")
    for cls, group in by_class.items():
        ndcg, recall = mean([o.ndcg for o in group]), mean([o.recall for o in group])
        lines.append(f"  {cls:22s} {len(group):3d} {ndcg:5.3f} {recall:5.3f}")
    lines.append(
        f"[{backend}] mean nDCG@{K} {mean([o.ndcg for o in outcomes]):.3f} "
        f"(floor {FLOOR_NDCG[backend]}), mean recall@{K} {mean([o.recall for o in outcomes]):.3f} "
        f"(floor {FLOOR_RECALL[backend]})"
    )
    return details, "\n".join(lines)


class _SummaryWriter:
    """Puts the summaries in pytest's terminal summary (registered once, at run time)."""

    def __init__(self) -> None:
        self.reports: dict[str, str] = {}

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        for backend, text in self.reports.items():
            terminalreporter.write_sep("-", f"search relevance ({backend})")
            terminalreporter.write_line(text)


def _show(config: pytest.Config, backend: str, details: str, summary: str) -> None:
    print(details, summary, sep="\n")
    name = "renkei-relevance-report"
    writer = config.pluginmanager.get_plugin(name)
    if writer is None:
        writer = _SummaryWriter()
        config.pluginmanager.register(writer, name)
    writer.reports[backend] = summary


def test_judged_queries(
    search: tuple[str, Callable[[str], list[str]]], request: pytest.FixtureRequest
) -> None:
    backend, top = search
    outcomes = []
    for item in _load("judgements.json")["queries"]:
        grades: dict[str, int] = item["relevant"]
        must_not: list[str] = item.get("must_not", [])
        ranked = top(item["q"])
        outcomes.append(
            Outcome(
                q=item["q"],
                cls=item["class"],
                ndcg=ndcg_at_k(ranked, grades),
                recall=recall_at_k(ranked, grades),
                top=ranked,
                missing=[n for n in sorted(grades, key=lambda n: -grades[n]) if n not in ranked],
                false_positives=[n for n in must_not if n in ranked],
                unjudged=[n for n in ranked if n not in grades and n not in must_not],
            )
        )
    _show(request.config, backend, *_report(backend, outcomes))

    mean_ndcg = mean([o.ndcg for o in outcomes])
    mean_recall = mean([o.recall for o in outcomes])
    assert mean_ndcg >= FLOOR_NDCG[backend], f"{backend}: mean nDCG@{K} {mean_ndcg:.3f} fell"
    assert mean_recall >= FLOOR_RECALL[backend], f"{backend}: mean recall@{K} {mean_recall:.3f}"
    known = KNOWN_MUST_NOT_MISSES[backend]
    leaks = {
        o.q: o.false_positives for o in outcomes if len(o.false_positives) > len(known.get(o.q, ()))
    }
    assert not leaks, f"{backend}: clear false positives in the top {K}: {leaks}"
