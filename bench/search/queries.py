"""The fixed query mix: 200 queries in six classes, chosen from the generator's own frequencies.

Classes (as in the search issue):
  a  one keyword, Japanese or English, spread over frequency bands (40)
  b  two keywords + fq organization:<org> res_format:CSV, taken from one real dataset (40)
  c  one-kanji and two-kanji words: 駅, 川, 人口, 避難, 道路, 公園 ... (40)
  d  empty q, newest first, all five facets: the portal's front page (20)
  e  a frequent keyword sorted by date at start=100000 (smaller N: half its hit count) (20)
  f  a keyword inside a 0.5-2 degree bbox (ext_bbox) (40)
Every query asks for the top 10; a, b, c and f also ask for the top 10 values of four facets
(organization, tags, res_format, license_id), d for all five, e for none.

Frequencies are measured on a sample (the first datasets of the stream, which are the same for
every N), then scaled to N. The mix depends only on the seed, N and the vocabulary.
"""

from __future__ import annotations

import bisect
import itertools
import json
import random
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.search import vocab as V
from bench.search.generate import Generator
from renkei.search.index import search_columns
from renkei.search.text import normalize

MIX_VERSION = 2  # bump when the choice of queries changes, so --reuse rebuilds the mix
FACETS4 = ("organization", "tags", "res_format", "license_id")
FACETS5 = ("organization", "groups", "tags", "res_format", "license_id")
CLASS_SIZES = {"a": 40, "b": 40, "c": 40, "d": 20, "e": 20, "f": 40}
CLASS_NAMES = {
    "a": "one keyword",
    "b": "two keywords + org + CSV",
    "c": "one-/two-kanji word",
    "d": "front page: all 5 facets",
    "e": "keyword by date, deep offset",
    "f": "bbox + keyword",
}
ONE_KANJI = list(V._words("駅 川 山 橋 港 海 島 森 水 火 市 町 村 県 区 道 園 館 図 病"))
TWO_KANJI = list(
    V._words(
        "人口 避難 道路 公園 学校 病院 施設 保育 観光 交通 防災 地震 津波 環境 福祉 医療 統計 "
        "予算 文化 住所"
    )
)
# The warm-up mix asks for other one- and two-kanji words, so that the timed pass's class c
# is not served from a result cache filled by the warm-up.
ONE_KANJI_WARMUP = list(V._words("線 林 谷 坂 湖 池 城 寺 宮 浜 崎 沢 野 原 田 石 岩 台 丘 浦"))
TWO_KANJI_WARMUP = list(
    V._words(
        "世帯 保健 介護 教育 図書 温泉 駐車 上水 下水 選挙 議会 税務 農業 漁業 工業 商業 "
        "森林 河川 給食 消防"
    )
)
DEEP_OFFSET = 100_000
SAMPLE = 20_000
_STOP = {
    "with",
    "from",
    "that",
    "this",
    "data",
    "dataset",
    "datasets",
    "have",
    "there",
    "their",
    "which",
    "about",
    "were",
    "been",
    "also",
    "into",
    "some",
    "each",
    # The GeoJSON of the "spatial" extra is part of the search text: every dataset has these.
    "type",
    "polygon",
    "coordinates",
}
_WORD = re.compile(r"^[a-z][a-z\-]{3,}$")


@dataclass(frozen=True)
class Query:
    qid: str
    cls: str
    terms: tuple[str, ...] = ()
    org: str | None = None
    res_format: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    sort: str = "score"  # "score" (then newest) or "modified" (newest first)
    start: int = 0
    rows: int = 10
    facets: tuple[str, ...] = ()
    facet_limit: int = 10
    expected_hits: int | None = None
    note: str = ""

    def ckan_params(self) -> dict[str, Any]:
        """The query as CKAN ``package_search`` parameters."""
        params: dict[str, Any] = {"q": " ".join(self.terms), "rows": self.rows}
        fq = []
        if self.org:
            fq.append(f"organization:{self.org}")
        if self.res_format:
            fq.append(f"res_format:{self.res_format}")
        if fq:
            params["fq"] = " ".join(fq)
        if self.sort == "modified":
            params["sort"] = "metadata_modified desc"
        if self.start:
            params["start"] = self.start
        if self.facets:
            params["facet.field"] = list(self.facets)
            params["facet.limit"] = self.facet_limit
        else:
            params["facet"] = "false"
        if self.bbox:
            params["ext_bbox"] = ",".join(f"{v:g}" for v in self.bbox)
        return params


@dataclass
class Sample:
    """The first datasets of the stream, with their normalised search text."""

    n_total: int
    datasets: list[dict[str, Any]] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    public: list[int] = field(default_factory=list)
    _cache: dict[str, float] = field(default_factory=dict)
    _joined: str = ""
    _starts: list[int] = field(default_factory=list)

    def fraction(self, term: str) -> float:
        """Share of the public sample datasets whose search text contains ``term``."""
        if not self.public:
            return 0.0
        if term not in self._cache:
            if not self._joined:
                parts = [self.texts[i] for i in self.public]
                self._starts = list(itertools.accumulate([0] + [len(p) + 1 for p in parts]))
                self._joined = "\x00".join(parts)
            docs = set()
            joined, starts = self._joined, self._starts
            pos = joined.find(term)
            while pos >= 0:
                doc = bisect.bisect_right(starts, pos) - 1
                docs.add(doc)
                # Skip to the next dataset: one hit per dataset is enough.
                pos = joined.find(term, starts[doc + 1] if doc + 1 < len(starts) else len(joined))
            self._cache[term] = len(docs) / len(self.public)
        return self._cache[term]

    def expected(self, term: str) -> int:
        return round(self.fraction(term) * self.n_total * len(self.public) / len(self.texts))


def take_sample(gen: Generator, n: int, size: int = SAMPLE) -> Sample:
    orgs = {o.id: o.as_dict() for o in gen.orgs}
    sample = Sample(n_total=n)
    for k, ds in enumerate(gen.datasets(min(n, size))):
        title, text = search_columns(ds, orgs.get(ds["owner_org"]))
        sample.datasets.append(ds)
        sample.titles.append(title)
        sample.texts.append(text)
        if not ds["private"]:
            sample.public.append(k)
    return sample


def _candidates(gen: Generator) -> tuple[list[str], list[str]]:
    """(Japanese, English) keywords a person might type, normalised, in a fixed order."""
    ja: list[str] = []
    en: list[str] = []
    for subject, subject_en, _theme in gen.ja_subjects:
        for part in [subject, *subject.split("・")]:
            if 2 <= len(part) <= 10:
                ja.append(part)
        if subject_en:
            en.extend(w for w in subject_en.lower().split())
    for subject, _theme in gen.en_subjects:
        en.extend(subject.lower().replace(",", " ").replace(":", " ").split())
    for tag in gen.tags:
        (ja if V._JA.search(tag) else en).extend([tag] if V._JA.search(tag) else tag.split())
    for org in gen.orgs:
        if org.kind == "municipality":
            ja.append(org.place)
            en.append(org.place_en.lower())
    ja.extend(s for s in V.YEAR_SUFFIXES if s)
    ja.extend(c for c in gen.vocab.ja_columns if 2 <= len(c) <= 8 and "_" not in c)
    ja = [normalize(t) for t in ja]
    en = [normalize(t) for t in en]
    fixed = set(ONE_KANJI) | set(TWO_KANJI)
    ja = [
        t for t in dict.fromkeys(ja) if V._SAFE_TERM.match(t) and V._JA.search(t) and t not in fixed
    ]
    en = [t for t in dict.fromkeys(en) if _WORD.match(t) and t not in _STOP]
    return ja, en


def _bands(sample: Sample, terms: Iterable[str]) -> dict[str, list[tuple[str, float]]]:
    bands: dict[str, list[tuple[str, float]]] = {"high": [], "mid": [], "low": [], "rare": []}
    for term in terms:
        f = sample.fraction(term)
        if f <= 0:
            continue
        band = "high" if f >= 0.05 else "mid" if f >= 0.01 else "low" if f >= 0.001 else "rare"
        bands[band].append((term, f))
    return bands


def _pick(rng: random.Random, items: list, k: int) -> list:
    if len(items) <= k:
        return list(items) + [rng.choice(items) for _ in range(k - len(items))] if items else []
    return rng.sample(items, k)


def build_queries(
    gen: Generator, n: int, sample: Sample | None = None, salt: str = ""
) -> list[Query]:
    """The 200 queries, in the (seeded, interleaved) order they are run. Another ``salt``
    gives another mix of the same shape (the warm-up pass uses one, so that the timed pass
    does not just repeat queries whose results an engine may have cached)."""
    rng = random.Random(f"queries:{gen.seed}:{n}{salt}")
    sample = sample or take_sample(gen, n)
    ja_terms, en_terms = _candidates(gen)
    ja_bands = _bands(sample, ja_terms)
    en_bands = _bands(sample, en_terms)
    orgs = {o.id: o for o in gen.orgs}
    queries: list[Query] = []

    def add(cls: str, **kw: Any) -> None:
        terms = kw.get("terms", ())
        if "expected_hits" not in kw and len(terms) == 1 and not kw.get("org"):
            kw["expected_hits"] = sample.expected(terms[0])
        queries.append(Query(qid="", cls=cls, facets=kw.pop("facets", FACETS4), **kw))

    # a: one keyword; 28 Japanese and 12 English over four frequency bands.
    for bands, per_band in ((ja_bands, (7, 7, 7, 7)), (en_bands, (3, 3, 3, 3))):
        for band, k in zip(("high", "mid", "low", "rare"), per_band, strict=True):
            pool = bands[band] or bands["mid"] or bands["high"]
            for term, _ in _pick(rng, pool, k):
                add("a", terms=(term,), note=band)

    # b: two keywords found in one public dataset's title, its organization and CSV.
    with_csv = [
        i
        for i in sample.public
        if any(r["format"] == "CSV" for r in sample.datasets[i]["resources"])
    ]
    rng_b = random.Random(rng.random())
    made = {"ja": 0, "en": 0}
    want = {"ja": 28, "en": 12}
    for i in rng_b.sample(with_csv, len(with_csv)):
        if made["ja"] >= want["ja"] and made["en"] >= want["en"]:
            break
        ds = sample.datasets[i]
        lang = "ja" if V._JA.search(ds["title"]) else "en"
        if made[lang] >= want[lang]:
            continue
        title = sample.titles[i]
        words = set(title.replace("-", " ").replace("(", " ").replace(")", " ").split())
        pool = ja_terms if lang == "ja" else en_terms  # lists: a fixed order
        found = [t for t in pool if (t in title if lang == "ja" else t in words)]
        found = [t for t in found if not any(t != u and t in u for u in found)]
        if len(found) < 2:
            continue
        pair = tuple(sorted(rng_b.sample(found, 2)))
        org = orgs[ds["owner_org"]].name
        add("b", terms=pair, org=org, res_format="CSV", note=f"from {ds['name']}")
        made[lang] += 1

    # c: one-kanji and two-kanji words.
    words = ONE_KANJI + TWO_KANJI if not salt else ONE_KANJI_WARMUP + TWO_KANJI_WARMUP
    for term in words:
        add("c", terms=(term,), note=f"{len(term)} kanji")

    # d: the front page, newest first, all five facets; pages 1-20.
    for k in range(CLASS_SIZES["d"]):
        add("d", sort="modified", start=10 * k, facets=FACETS5, expected_hits=None)

    # e: the most frequent keywords, newest first, at a deep offset.
    frequent = sorted(
        ((t, sample.fraction(t)) for t in ja_terms + en_terms + TWO_KANJI),
        key=lambda x: -x[1],
    )
    deep = [t for t, f in frequent if sample.expected(t) > DEEP_OFFSET + 10][:10]
    if len(deep) < 10:
        deep = [t for t, _ in frequent[:10]]
    for k in range(CLASS_SIZES["e"]):
        term = deep[k % len(deep)]
        hits = sample.expected(term)
        offset = DEEP_OFFSET if hits > DEEP_OFFSET + 10 else max(0, (hits // 2) // 10 * 10)
        offset = max(0, offset - 10 * (k // len(deep)) - (500 if salt else 0))
        add("e", terms=(term,), sort="modified", start=offset, facets=(), note="deep")

    # f: a keyword of a public dataset inside a 0.5-2 degree box around it.
    rng_f = random.Random(rng.random())
    usable = [t for t, _ in ja_bands["high"] + ja_bands["mid"] + en_bands["high"] + en_bands["mid"]]
    made = {"ja": 0, "en": 0}
    for i in rng_f.sample(sample.public, len(sample.public)):
        if made["ja"] >= want["ja"] and made["en"] >= want["en"]:
            break
        ds = sample.datasets[i]
        lang = "ja" if V._JA.search(ds["title"]) else "en"
        if made[lang] >= want[lang]:
            continue
        title = sample.titles[i]
        found = [t for t in usable if t in title]
        if not found:
            continue
        term = rng_f.choice(found)
        spatial = next(e["value"] for e in ds["extras"] if e["key"] == "spatial")
        ring = json.loads(spatial)["coordinates"][0]
        cx = (ring[0][0] + ring[2][0]) / 2
        cy = (ring[0][1] + ring[2][1]) / 2
        w, h = rng_f.uniform(0.5, 2.0), rng_f.uniform(0.5, 2.0)
        cx += rng_f.uniform(-w / 3, w / 3)
        cy += rng_f.uniform(-h / 3, h / 3)
        bbox = (
            round(cx - w / 2, 3),
            round(cy - h / 2, 3),
            round(cx + w / 2, 3),
            round(cy + h / 2, 3),
        )
        add("f", terms=(term,), bbox=bbox, note=f"around {ds['name']}")
        made[lang] += 1

    counters: dict[str, int] = {}
    numbered = []
    for q in queries:
        counters[q.cls] = counters.get(q.cls, 0) + 1
        numbered.append(Query(**{**asdict(q), "qid": f"{q.cls}{counters[q.cls]:02d}"}))
    random.Random(f"order:{gen.seed}:{n}{salt}").shuffle(numbered)
    return numbered


def save(queries: list[Query], path: Path) -> None:
    rows = [asdict(q) | {"ckan_params": q.ckan_params()} for q in queries]
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), "utf-8")


def load(path: Path) -> list[Query]:
    rows = json.loads(path.read_text("utf-8"))
    out = []
    for row in rows:
        row.pop("ckan_params", None)
        row["terms"] = tuple(row["terms"])
        row["facets"] = tuple(row["facets"])
        if row["bbox"] is not None:
            row["bbox"] = tuple(row["bbox"])
        out.append(Query(**row))
    return out


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Print the query mix for a seed and N")
    parser.add_argument("--datasets", type=int, default=1_500_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fixtures", type=Path, default=None)
    args = parser.parse_args(argv)
    gen = Generator(args.seed, V.load_vocabulary(args.fixtures or V.default_fixtures()))
    for q in sorted(build_queries(gen, args.datasets), key=lambda q: q.qid):
        print(q.qid, q.expected_hits, q.note, json.dumps(q.ckan_params(), ensure_ascii=False))


if __name__ == "__main__":
    main()
