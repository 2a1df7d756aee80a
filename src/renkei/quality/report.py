"""Quality reports per resource and per dataset: score, store, and read back.

Scoring a dataset happens in three steps so that no database transaction is held open while
the network is used (SQLite has one writer):

1. ``gather`` (read transaction): the ``package_show`` dict, where each uploaded file lies,
   and the link results of the previous report (reused when the URL has not changed).
2. ``evaluate`` (no database): link checks if asked for, blob checks, the resource scorers,
   MQA, openness, freshness. Pure computation apart from HTTP and reading files.
3. ``save`` (write transaction): replace the reports of the dataset and its resources and add
   a row to the history.

Resource scorers are pluggable: ``RESOURCE_SCORERS`` holds functions ``(ResourceFile) ->
list[Score]`` run on every uploaded file (the content checks plug in here).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select

from renkei.catalog.context import Context, utcnow
from renkei.catalog.dictize import iso, package_dict
from renkei.quality import freshness, mqa, openness
from renkei.quality.dcat_ap import DcatApValidator
from renkei.quality.findings import Finding, Location, Score, Severity
from renkei.quality.links import SNIFF_BYTES, LinkChecker, LinkResult, links_score
from renkei.quality.reading import ReadError
from renkei.search.index import queue
from renkei.store.tables import Package, QualityHistory, QualityReport, Resource

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResourceFile:
    """An uploaded file, as a resource scorer sees it."""

    resource_id: str
    path: Path
    filename: str | None
    format: str | None


ResourceScorer = Callable[[ResourceFile], list[Score]]

# Files the content checks read (machine-readability, structure, codes, standard schemas).
CONTENT_FORMATS = frozenset({"csv", "tsv", "xlsx"})


def content_checks(file: ResourceFile) -> list[Score]:
    """The content checks of a CSV, TSV or XLSX upload; other files have none."""
    from renkei.quality import content

    declared = (file.format or "").strip().lower()
    extension = Path(file.filename or "").suffix.lstrip(".").lower()
    if declared not in CONTENT_FORMATS and extension not in CONTENT_FORMATS:
        return []
    return content.score_file(file.path, filename=file.filename)


# Scorers run on every uploaded file that exists in the blob store.
RESOURCE_SCORERS: list[ResourceScorer] = [content_checks]


@dataclass
class ScanInput:
    dataset: dict[str, Any]
    blob_paths: dict[str, Path]  # resource id -> path of its uploaded file
    previous_links: dict[str, LinkResult]  # resource id -> last link check of the same URL
    previous_downloads: dict[str, LinkResult]
    site_url: str = ""
    default_lang: str = "ja"
    #: resource id -> the stored scores of the resource scorers, for the uploads whose file
    #: (hash, name, declared format) is the one they were computed on (``gather(reuse=True)``)
    previous_content: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def file_key(res: dict[str, Any]) -> dict[str, Any] | None:
    """What the resource scorers' verdict on an upload depends on: the file (its SHA-256),
    the name it is read under and the declared format. None for a link or an unhashed file."""
    if res.get("url_type") != "upload" or not res.get("hash"):
        return None
    return {"hash": res["hash"], "filename": _filename(res), "format": res.get("format")}


@dataclass
class Evaluation:
    package_id: str
    scored_at: datetime
    dataset_report: dict[str, Any]
    resource_reports: dict[str, dict[str, Any]] = field(default_factory=dict)


def gather(ctx: Context, pkg: Package, *, reuse_content: bool = False) -> ScanInput:
    """What scoring ``pkg`` needs. ``reuse_content``: keep the stored content-check scores of
    the uploads whose file has not changed (a rescore after a metadata edit) instead of
    reading the files again."""
    dataset = package_dict(ctx, pkg)
    blob_paths: dict[str, Path] = {}
    for res_id, key in ctx.session.execute(
        select(Resource.id, Resource.blob_key).where(
            Resource.package_id == pkg.id, Resource.blob_key.is_not(None)
        )
    ):
        blob_paths[res_id] = ctx.blobs.path(key)
    previous: dict[str, dict[str, Any]] = {
        row.subject_id: row.report
        for row in ctx.session.scalars(
            select(QualityReport).where(
                QualityReport.package_id == pkg.id, QualityReport.subject_type == "resource"
            )
        )
    }
    links: dict[str, LinkResult] = {}
    downloads: dict[str, LinkResult] = {}
    content: dict[str, list[dict[str, Any]]] = {}
    for res in dataset["resources"]:
        old = previous.get(res["id"]) or {}
        if old.get("link") and old["link"].get("url") == res.get("url"):
            links[res["id"]] = LinkResult.from_dict(old["link"])
        if old.get("download") and old["download"].get("url") == res.get("download_url"):
            downloads[res["id"]] = LinkResult.from_dict(old["download"])
        key = file_key(res)
        if reuse_content and key is not None and old.get("file") == key:
            content[res["id"]] = [
                s for s in old.get("scores", []) if s["scorer"] not in NOT_CONTENT_SCORERS
            ]
    return ScanInput(
        dataset,
        blob_paths,
        links,
        downloads,
        ctx.settings.site_url,
        ctx.settings.default_locale,
        previous_content=content,
    )


def _read_head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(SNIFF_BYTES)


def evaluate(
    scan: ScanInput,
    *,
    links: LinkChecker | None = None,
    resource_scorers: Sequence[ResourceScorer] | None = None,
    now: datetime | None = None,
) -> Evaluation:
    """Score the dataset and each resource. ``links``: check link resources now (else reuse
    the previous results for unchanged URLs)."""
    scorers = RESOURCE_SCORERS if resource_scorers is None else resource_scorers
    now = now or utcnow()
    dataset = scan.dataset
    reach: dict[str, mqa.Reach] = {}
    resource_reports: dict[str, dict[str, Any]] = {}
    resource_openness: list[Score] = []
    checked: list[tuple[dict[str, Any], LinkResult]] = []

    for res in dataset["resources"]:
        rid = res["id"]
        head: bytes | None = None
        link: LinkResult | None = None
        download: LinkResult | None = None
        extra_scores: list[Score] = []
        content_file: dict[str, Any] | None = None
        if res.get("url_type") == "upload":
            path = scan.blob_paths.get(rid)
            exists = path is not None and path.is_file()
            note = "" if exists else "the uploaded file is missing from the blob store"
            reach[rid] = mqa.Reach(access=exists, download=exists, note=note)
            if exists and path is not None:
                head = _read_head(path)
                reused = scan.previous_content.get(rid) if resource_scorers is None else None
                if reused is not None:
                    # The same file under the same name and format: its checks would say
                    # the same again (the default scorers only; others are always run).
                    extra_scores = [Score.model_validate(s) for s in reused]
                else:
                    file = ResourceFile(rid, path, _filename(res), res.get("format"))
                    for scorer in scorers:
                        extra_scores.extend(_run_scorer(scorer, file))
                if resource_scorers is None:
                    content_file = file_key(res)
        else:
            if links is not None and res.get("url"):
                link = links.check(res["url"], read_head=True)
                head = link.head or None
                if res.get("download_url"):
                    download = (
                        link
                        if res["download_url"] == res["url"]
                        else links.check(res["download_url"], read_head=False)
                    )
            else:
                link = scan.previous_links.get(rid)
                download = scan.previous_downloads.get(rid)
            reach[rid] = mqa.Reach(
                access=link.ok if link else None,
                download=download.ok if download else None,
                note=link.describe() if link and not link.ok else "",
            )
            if link is not None:
                checked.append((res, link))
        stars = openness.resource_openness(
            res, dataset.get("license_id"), available=reach[rid].access, head=head
        )
        resource_openness.append(stars)
        scores = [stars]
        if link is not None:
            scores.append(links_score([(res, link)]))
        scores.extend(extra_scores)
        resource_reports[rid] = {
            "resource_id": rid,
            "package_id": dataset["id"],
            "name": res.get("name"),
            "scored_at": iso(now),
            "stars": int(stars.points),
            "link": link.as_dict() if link else None,
            "download": download.as_dict() if download else None,
            # the file the content scores were computed on (see gather(reuse_content=True))
            "file": content_file,
            "scores": [s.model_dump(mode="json") for s in scores],
        }

    validator = DcatApValidator(scan.site_url, scan.default_lang)
    metadata = mqa.score_dataset(dataset, reach, validator)
    stars = openness.dataset_openness(resource_openness)
    fresh = freshness.score_freshness(dataset, now)
    scores = [metadata.score, stars, fresh]
    if checked:
        scores.append(links_score(checked))
    dataset_report = {
        "dataset_id": dataset["id"],
        "name": dataset["name"],
        "scored_at": iso(now),
        "total": metadata.score.points,
        "max": metadata.score.max_points,
        "band": metadata.score.band,
        "stars": int(stars.points),
        "freshness": fresh.band,
        "dimensions": metadata.dimensions,
        "scores": [s.model_dump(mode="json") for s in scores],
        "resources": [
            {
                "id": rid,
                "name": rep["name"],
                "stars": rep["stars"],
                "scores": [
                    {
                        "scorer": s["scorer"],
                        "points": s["points"],
                        "max_points": s["max_points"],
                        "band": s["band"],
                        "errors": sum(f["severity"] == Severity.error for f in s["findings"]),
                    }
                    for s in rep["scores"]
                ],
            }
            for rid, rep in resource_reports.items()
        ],
        "counts": _counts([*scores, *(s for r in resource_reports.values() for s in _scores(r))]),
    }
    return Evaluation(dataset["id"], now, dataset_report, resource_reports)


def _run_scorer(scorer: ResourceScorer, file: ResourceFile) -> list[Score]:
    """A scorer's scores; a scorer that fails on a file becomes a finding, not a failed scan.
    A file that isn't what its format says (ReadError) is the publisher's to fix: its message
    goes into the finding, and the log gets one line, not a traceback."""
    name = getattr(scorer, "__name__", type(scorer).__name__)
    try:
        return scorer(file)
    except ReadError as exc:
        log.warning("quality scorer %s could not read resource %s: %s", name, file.resource_id, exc)
        message, message_ja = str(exc), f"検査 {name} はこのファイルを読めませんでした: {exc}"
        fix = "Publish the file in the format it declares (e.g. save it again as XLSX or CSV)."
        fix_ja = "宣言した形式のファイルで公開してください（例: XLSX や CSV で保存し直す）。"
    except Exception as exc:
        log.exception("quality scorer %r failed on resource %s", scorer, file.resource_id)
        error = type(exc).__name__
        message = f"The check {name} could not read this file ({error})."
        message_ja = f"検査 {name} はこのファイルを読めませんでした（{error}）。"
        fix = "Check that the file is what its format says; report it if it is."
        fix_ja = "ファイルが形式どおりか確認し、そうであれば不具合として報告してください。"
    return [
        Score(
            scorer=name,
            points=0,
            max_points=0,
            findings=[
                Finding(
                    rule="quality.scorer-failed",
                    severity=Severity.warning,
                    location=Location(resource_id=file.resource_id),
                    message=message,
                    message_ja=message_ja,
                    fix=fix,
                    fix_ja=fix_ja,
                )
            ],
        )
    ]


#: the scores of a resource report that are not its resource scorers' (content checks)
NOT_CONTENT_SCORERS = ("openness", "links")


def _scores(report: dict[str, Any]) -> list[Score]:
    """A resource's own scores; openness and links are counted once, at the dataset level."""
    return [
        Score.model_validate(s) for s in report["scores"] if s["scorer"] not in NOT_CONTENT_SCORERS
    ]


def _counts(scores: list[Score]) -> dict[str, int]:
    counts = {severity.value: 0 for severity in Severity}
    for score in scores:
        for finding in score.findings:
            counts[finding.severity.value] += 1
    return counts


def _filename(res: dict[str, Any]) -> str | None:
    url = str(res.get("url") or "")
    return url.rsplit("/", 1)[-1] or None


def save(ctx: Context, evaluation: Evaluation, *, reindex: bool = True) -> bool:
    """Store the reports (replacing the previous ones) and a history row. False when the
    dataset was purged meanwhile. ``reindex=False`` leaves queueing the dataset for the
    search index (its quality boost) to the caller, who batches it."""
    pkg = ctx.session.get(Package, evaluation.package_id)
    if pkg is None:
        return False
    session = ctx.session
    session.execute(delete(QualityReport).where(QualityReport.package_id == pkg.id))
    report = evaluation.dataset_report
    session.add(
        QualityReport(
            subject_type="dataset",
            subject_id=pkg.id,
            package_id=pkg.id,
            total=report["total"],
            max_total=report["max"],
            band=report["band"],
            stars=report["stars"],
            scored_at=evaluation.scored_at,
            report=report,
        )
    )
    existing = set(session.scalars(select(Resource.id).where(Resource.package_id == pkg.id)))
    for rid, rep in evaluation.resource_reports.items():
        if rid not in existing:
            continue  # deleted while it was being scored
        session.add(
            QualityReport(
                subject_type="resource",
                subject_id=rid,
                package_id=pkg.id,
                total=rep["stars"],
                max_total=openness.MAX_STARS,
                band=f"{rep['stars']}-star",
                stars=rep["stars"],
                scored_at=evaluation.scored_at,
                report=rep,
            )
        )
    if reindex:
        # The search index weighs relevance by the MQA total: reindex the dataset after commit.
        queue(ctx, pkg.id)
    session.add(
        QualityHistory(
            package_id=pkg.id,
            scored_at=evaluation.scored_at,
            total=report["total"],
            band=report["band"],
            stars=report["stars"],
        )
    )
    return True


def is_stale(report_scored_at: datetime, pkg: Package) -> bool:
    return pkg.metadata_modified > report_scored_at


def stored(ctx: Context, subject_type: str, subject_id: str) -> QualityReport | None:
    return ctx.session.get(QualityReport, (subject_type, subject_id))


def summary(ctx: Context, pkg: Package) -> dict[str, Any] | None:
    """The short ``quality`` block of ``package_show`` (one query), None when never scored."""
    row = stored(ctx, "dataset", pkg.id)
    if row is None:
        return None
    return {
        "total": row.total,
        "max": row.max_total,
        "band": row.band,
        "stars": row.stars,
        "scored_at": iso(row.scored_at),
        "stale": is_stale(row.scored_at, pkg),
    }
