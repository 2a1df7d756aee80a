"""Seeded generator of a realistic catalog: organisations, groups and N CKAN-shaped datasets.

The datasets are streamed (never all in memory) and written as JSON lines, with the
organisations and groups beside them. Dataset ``i`` depends only on the seed and ``i`` (one
random stream, read in order), so a larger N extends a smaller one; the same seed, N and
vocabulary give byte-identical files.

    python -m bench.search.generate --datasets 100000 --out /tmp/renkei-bench/data [--seed 1]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import random
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.search import vocab as V
from renkei.model.licenses import LICENSES

GENERATOR_VERSION = 1
N_ORGANIZATIONS = 2000
PRIVATE_SHARE = 0.05
JAPANESE_SHARE = 0.70
TIME_START = datetime(2016, 1, 1)
TIME_SPAN = timedelta(days=3653)  # ten years, to 2026-01-01
LON_RANGE = (128.0, 146.0)
LAT_RANGE = (30.0, 45.0)

FORMATS: tuple[tuple[str, float], ...] = (
    ("CSV", 45),
    ("PDF", 14),
    ("XLSX", 12),
    ("HTML", 6),
    ("XLS", 5),
    ("JSON", 5),
    ("GeoJSON", 5),
    ("ZIP", 3),
    ("XML", 2),
    ("KML", 1),
    ("TXT", 1),
    ("SHP", 1),
)
# Japanese public-sector portals mostly use CC BY 4.0 and the public data licence.
LICENSE_WEIGHTS = {
    "cc-by-4.0": 45,
    "pdl-1.0": 15,
    "gjstu-2.0": 12,
    "cc-by": 6,
    "cc-zero": 4,
    "odc-by": 2,
    "cc-by-sa": 2,
    "other-open": 3,
    "notspecified": 4,
}


def _uuid(seed: int, kind: str, i: int) -> str:
    digest = hashlib.blake2b(f"{seed}:{kind}:{i}".encode(), digest_size=16).digest()
    return str(uuid.UUID(bytes=digest, version=4))


def _zipf_cum(n: int, s: float) -> list[float]:
    return list(itertools.accumulate(1.0 / (r + 1) ** s for r in range(n)))


@dataclass
class Org:
    id: str
    name: str
    title: str
    title_en: str | None
    kind: str  # prefecture | municipality | agency | department | english
    place: str  # the Japanese place name used in titles ("全国" for national bodies)
    place_en: str
    lon: float | None
    lat: float | None

    def as_dict(self) -> dict[str, Any]:
        """The organisation in CKAN's shape (what ``search_columns`` takes)."""
        tt = {"ja": self.title, "en": self.title_en} if self.title_en else None
        return {"id": self.id, "name": self.name, "title": self.title, "title_translated": tt}


@dataclass
class GroupDef:
    id: str
    name: str
    title: str
    title_en: str
    themes: tuple[str, ...]


def _en_suffix(ja: str) -> str:
    return {"区": "City", "市": "City", "町": "Town", "村": "Village"}.get(ja[-1], "")


def build_orgs(seed: int) -> list[Org]:
    """2,000 organisations: prefectures, municipalities, agencies, their units, English bodies."""
    rng = random.Random(f"orgs:{seed}")
    orgs: list[Org] = []
    prefs = {p[0]: p for p in V.PREFECTURES}
    for ja, en, lon, lat in V.PREFECTURES:
        en_title = "Tokyo Metropolitan Government" if ja == "東京都" else f"{en} Prefecture"
        orgs.append(Org("", "", ja, en_title, "prefecture", ja, en, lon, lat))
    munis: list[Org] = []
    for pref, text in V.MUNICIPALITIES.items():
        _, pref_en, lon, lat = prefs[pref]
        spread = 1.5 if pref == "北海道" else 0.45
        for pair in text.split():
            ja, en = pair.split(":")
            mlon = lon + rng.uniform(-spread, spread)
            mlat = lat + rng.uniform(-spread, spread) * 0.8
            title_en = f"{en} {_en_suffix(ja)}".strip()
            munis.append(Org("", "", ja, title_en, "municipality", ja, en, mlon, mlat))
    orgs.extend(munis)
    for ja, en in V.NATIONAL_AGENCIES:
        orgs.append(Org("", "", ja, en, "agency", "全国", "Japan", None, None))
    for en in V.ENGLISH_ORGS:
        base = rng.choice(munis)
        orgs.append(Org("", "", en, None, "english", base.place, base.place_en, base.lon, base.lat))
    titles = {o.title for o in orgs}
    parents = [o for o in orgs if o.kind in ("prefecture", "municipality")]
    while len(orgs) < N_ORGANIZATIONS:
        parent = rng.choice(parents)
        dept = rng.choice(V.DEPARTMENTS)
        if parent.kind == "prefecture" and dept.startswith("市"):
            continue
        title = f"{parent.title} {dept}"
        if title in titles:
            continue
        titles.add(title)
        place, place_en = parent.place, parent.place_en
        orgs.append(Org("", "", title, None, "department", place, place_en, parent.lon, parent.lat))
    rng.shuffle(orgs)
    for k, org in enumerate(orgs):
        org.id = _uuid(seed, "org", k)
        org.name = f"org-{k:04d}"
    return orgs


def build_groups(seed: int) -> list[GroupDef]:
    return [
        GroupDef(_uuid(seed, "group", k), name, ja, en, themes)
        for k, (name, ja, en, themes) in enumerate(V.GROUPS)
    ]


class Generator:
    """Datasets of one seed and vocabulary; ``datasets(n)`` streams the first n of them."""

    def __init__(self, seed: int, vocab: V.Vocabulary) -> None:
        self.seed = seed
        self.vocab = vocab
        self.orgs = build_orgs(seed)
        self.groups = build_groups(seed)
        rng = random.Random(f"world:{seed}")
        # Organisation sizes, subject and tag popularity: Zipf-like over a seeded order.
        self.org_cum = _zipf_cum(len(self.orgs), 0.8)
        self.ja_subjects = list(vocab.ja_subjects)
        rng.shuffle(self.ja_subjects)
        # The recommended data sets are the common ones: move them ahead of the long tail.
        self.ja_subjects.sort(key=lambda s: 0 if s[1] is not None else 1)
        self.ja_subject_cum = _zipf_cum(len(self.ja_subjects), 0.9)
        self.en_subjects = list(vocab.en_subjects)
        rng.shuffle(self.en_subjects)
        self.en_subject_cum = _zipf_cum(len(self.en_subjects), 0.9)
        self.tags = list(vocab.tags)
        rng.shuffle(self.tags)
        self.tag_cum = _zipf_cum(len(self.tags), 1.0)
        tagset = set(self.tags)
        self.theme_tags = {t: [x for x in v if x in tagset] for t, v in V.THEMES.items()}
        self.groups_by_theme: dict[str, list[str]] = {}
        for g in self.groups:
            for theme in g.themes:
                self.groups_by_theme.setdefault(theme, []).append(g.name)
        self.formats = [f for f, _ in FORMATS]
        self.format_cum = list(itertools.accumulate(w for _, w in FORMATS))
        known = {lic.id for lic in LICENSES}
        lic = [(k, w) for k, w in LICENSE_WEIGHTS.items() if k in known]
        self.licenses = [k for k, _ in lic]
        self.license_cum = list(itertools.accumulate(w for _, w in lic))
        self.by_id = {o.id: o for o in self.orgs}

    # -- one dataset ------------------------------------------------------------------------

    def _year_ja(self, rng: random.Random, year: int) -> str:
        kind = rng.random()
        if kind < 0.35:
            return f"令和{year - 2018}年度" if year >= 2019 else f"平成{year - 1988}年度"
        if kind < 0.7:
            return f"{year}年度"
        if kind < 0.85:
            return f"{year}年{rng.randint(1, 12)}月"
        return ""

    def _bbox(self, rng: random.Random, org: Org) -> tuple[float, float, float, float]:
        w = math.exp(rng.uniform(math.log(0.01), math.log(2.0)))
        h = w * rng.uniform(0.6, 1.4)
        if org.lon is None or org.lat is None:
            cx, cy = rng.uniform(129.5, 145.0), rng.uniform(31.0, 44.0)
        else:
            cx, cy = org.lon + rng.gauss(0, 0.15), org.lat + rng.gauss(0, 0.15)
        minx = min(max(cx - w / 2, LON_RANGE[0]), LON_RANGE[1] - w)
        miny = min(max(cy - h / 2, LAT_RANGE[0]), LAT_RANGE[1] - h)
        return round(minx, 4), round(miny, 4), round(minx + w, 4), round(miny + h, 4)

    def dataset(self, rng: random.Random, i: int) -> dict[str, Any]:
        v = self.vocab
        org = self.orgs[rng.choices(range(len(self.orgs)), cum_weights=self.org_cum)[0]]
        japanese = org.kind != "english" and rng.random() < JAPANESE_SHARE / 0.99
        year = rng.randint(2014, 2025)
        place_ja = org.place
        if org.kind == "agency" and rng.random() < 0.5:
            place_ja = rng.choice(V.PREFECTURES)[0]
        if japanese:
            subject, subject_en, theme = self.ja_subjects[
                rng.choices(range(len(self.ja_subjects)), cum_weights=self.ja_subject_cum)[0]
            ]
            suffix = rng.choice(V.YEAR_SUFFIXES)
            if subject.endswith(("一覧", "データ", "統計", "調査", "情報")):
                suffix = ""
            ystr = self._year_ja(rng, year)
            form = rng.random()
            if form < 0.45:
                title = f"{place_ja}の{subject}{suffix}" + (f" {ystr}" if ystr else "")
            elif form < 0.7:
                title = f"{subject}{suffix}（{place_ja}）"
            elif form < 0.85:
                title = f"{ystr}{subject}{suffix}" if ystr else f"{subject}{suffix}"
            else:
                title = f"{subject}{suffix}"
            title_translated = None
            if subject_en and rng.random() < 0.3:
                title_translated = {"ja": title, "en": f"{subject_en} - {org.place_en} ({year})"}
            notes = self._notes_ja(rng, org, place_ja, subject, ystr or f"{year}年")
            notes_translated = None
            if title_translated and rng.random() < 0.3:
                en = self._notes_en(rng, org, subject_en or subject, year)
                notes_translated = {"ja": notes, "en": en}
        else:
            subject, theme = self.en_subjects[
                rng.choices(range(len(self.en_subjects)), cum_weights=self.en_subject_cum)[0]
            ]
            subject_en = subject
            form = rng.random()
            if form < 0.4:
                title = f"{subject} - {org.place_en}"
            elif form < 0.6:
                title = f"{org.place_en} {subject} {year}"
            elif form < 0.8:
                title = f"{subject} ({year})"
            else:
                title = subject
            title_translated = None
            notes = self._notes_en(rng, org, subject, year)
            notes_translated = None
        name = f"ds{i:07d}"
        # Tags: one or two of the theme, then a Zipf-distributed tail.
        tags: list[str] = []
        theme_tags = self.theme_tags.get(theme) or []
        if theme_tags:
            tags.extend(rng.sample(theme_tags, min(len(theme_tags), rng.randint(1, 2))))
        for _ in range(rng.choices((0, 1, 2, 3), (20, 40, 25, 15))[0]):
            tag = self.tags[rng.choices(range(len(self.tags)), cum_weights=self.tag_cum)[0]]
            if tag not in tags:
                tags.append(tag)
        groups: list[str] = []
        if theme in self.groups_by_theme and rng.random() < 0.6:
            groups.append(rng.choice(self.groups_by_theme[theme]))
        if rng.random() < 0.25:
            kind_group = {"agency": "national", "prefecture": "prefectures"}.get(
                org.kind, "municipalities"
            )
            if kind_group not in groups:
                groups.append(kind_group)
        if rng.random() < 0.1:
            extra = rng.choice(self.groups).name
            if extra not in groups:
                groups.append(extra)
        resources = []
        for k in range(rng.choices((1, 2, 3), (50, 35, 15))[0]):
            fmt = self.formats[
                rng.choices(range(len(self.formats)), cum_weights=self.format_cum)[0]
            ]
            if japanese:
                rname = f"{subject}（{fmt}）"
                if rng.random() < 0.1 and v.resource_names:
                    rname = rng.choice(v.resource_names)
                desc = f"{ystr or year}時点の{subject}です。" if rng.random() < 0.3 else ""
            else:
                rname = f"{subject} ({fmt})"
                desc = f"{subject} as of {year}." if rng.random() < 0.3 else ""
            resources.append(
                {
                    "id": _uuid(self.seed, "res", i * 4 + k),
                    "name": rname,
                    "description": desc,
                    "format": fmt,
                    "url": f"https://data.example.jp/{org.name}/{name}/{k + 1}.{fmt.lower()}",
                }
            )
        minx, miny, maxx, maxy = self._bbox(rng, org)
        ring = [[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]
        spatial = json.dumps({"type": "Polygon", "coordinates": [ring]}, separators=(",", ":"))
        created = TIME_START + TIME_SPAN * rng.random()
        modified = created + (TIME_START + TIME_SPAN - created) * rng.random() ** 2
        t_start = year - rng.choice((0, 0, 1, 2, 5))
        extras = [
            {"key": "spatial", "value": spatial},
            {"key": "temporal_start", "value": f"{t_start}-04-01"},
            {"key": "temporal_end", "value": f"{year + 1}-03-31"},
        ]
        lic = self.licenses[rng.choices(range(len(self.licenses)), cum_weights=self.license_cum)[0]]
        return {
            "id": _uuid(self.seed, "ds", i),
            "name": name,
            "title": title,
            "title_translated": title_translated,
            "notes": notes,
            "notes_translated": notes_translated,
            "owner_org": org.id,
            "license_id": lic,
            "private": rng.random() < PRIVATE_SHARE,
            "state": "active",
            "type": "dataset",
            "author": org.title,
            "maintainer": (
                f"{org.place}{rng.choice(V.DEPARTMENTS)}" if japanese else "Open Data Team"
            ),
            "url": f"https://www.example.jp/{org.name}/{name}",
            "metadata_created": created.isoformat(timespec="seconds"),
            "metadata_modified": modified.isoformat(timespec="seconds"),
            "tags": [{"name": t} for t in tags],
            "groups": [{"name": g} for g in groups],
            "resources": resources,
            "extras": extras,
        }

    def _notes_ja(self, rng: random.Random, org: Org, place: str, subject: str, year: str) -> str:
        v = self.vocab
        parts = [
            rng.choice(V.JAPANESE_TEMPLATES_NOTES).format(
                place=place, subject=subject, org=org.title, year=year, freq=rng.choice(V.FREQ_JA)
            )
        ]
        if v.ja_sentences:
            parts.extend(rng.sample(v.ja_sentences, rng.randint(0, 2)))
        if v.ja_columns and rng.random() < 0.7:
            cols = rng.sample(v.ja_columns, min(len(v.ja_columns), rng.randint(3, 6)))
            parts.append("項目：" + "、".join(cols) + "。")
        if v.ja_names and rng.random() < 0.4:
            parts.append("例：" + "、".join(rng.sample(v.ja_names, 2)) + "。")
        return "".join(parts)

    def _notes_en(self, rng: random.Random, org: Org, subject: str, year: int) -> str:
        v = self.vocab
        parts = [
            rng.choice(V.ENGLISH_TEMPLATES_NOTES).format(
                subject=subject,
                place=org.place_en,
                org=org.title_en or org.title,
                year=year,
                freq=rng.choice(V.FREQ_EN),
            )
        ]
        if v.en_sentences:
            parts.extend(rng.sample(v.en_sentences, rng.randint(0, 2)))
        return " ".join(parts)

    def datasets(self, n: int) -> Iterator[dict[str, Any]]:
        rng = random.Random(f"datasets:{self.seed}")
        for i in range(n):
            yield self.dataset(rng, i)


# -- files -----------------------------------------------------------------------------------


def data_meta(n: int, seed: int, vocab: V.Vocabulary) -> dict[str, Any]:
    return {
        "datasets": n,
        "seed": seed,
        "generator_version": GENERATOR_VERSION,
        "vocabulary": vocab.digest,
    }


def write(out: Path, n: int, seed: int, vocab: V.Vocabulary, progress: bool = True) -> dict:
    """Write ``datasets.jsonl``, ``organizations.json``, ``groups.json`` and ``meta.json``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "meta.json").unlink(missing_ok=True)
    gen = Generator(seed, vocab)
    orgs = [{**o.as_dict(), "kind": o.kind} for o in gen.orgs]
    (out / "organizations.json").write_text(json.dumps(orgs, ensure_ascii=False), "utf-8")
    groups = [asdict(g) for g in gen.groups]
    (out / "groups.json").write_text(json.dumps(groups, ensure_ascii=False), "utf-8")
    started = time.perf_counter()
    tmp = out / "datasets.jsonl.tmp"
    with tmp.open("w", encoding="utf-8") as fh:
        for i, ds in enumerate(gen.datasets(n), 1):
            fh.write(json.dumps(ds, ensure_ascii=False, separators=(",", ":")))
            fh.write("\n")
            if progress and i % 100_000 == 0:
                rate = i / (time.perf_counter() - started)
                print(f"  generated {i:,} datasets ({rate:,.0f}/s)", file=sys.stderr)
    tmp.replace(out / "datasets.jsonl")
    meta = data_meta(n, seed, vocab) | {
        "seconds": round(time.perf_counter() - started, 1),
        "bytes": (out / "datasets.jsonl").stat().st_size,
        "sources": vocab.sources,
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False), "utf-8")
    return meta


def is_current(out: Path, n: int, seed: int, vocab: V.Vocabulary) -> bool:
    """True when ``out`` already holds the data of this N, seed and vocabulary."""
    try:
        meta = json.loads((out / "meta.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    want = data_meta(n, seed, vocab)
    return all(meta.get(k) == v for k, v in want.items()) and (out / "datasets.jsonl").exists()


def read_datasets(out: Path) -> Iterator[dict[str, Any]]:
    with (out / "datasets.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def read_orgs(out: Path) -> list[dict[str, Any]]:
    return json.loads((out / "organizations.json").read_text("utf-8"))


def read_groups(out: Path) -> list[dict[str, Any]]:
    return json.loads((out / "groups.json").read_text("utf-8"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--fixtures", type=Path, default=None)
    args = parser.parse_args(argv)
    vocab = V.load_vocabulary(args.fixtures or V.default_fixtures())
    meta = write(args.out, args.datasets, args.seed, vocab)
    print(json.dumps({k: v for k, v in meta.items() if k != "sources"}, indent=1))


if __name__ == "__main__":
    main()
