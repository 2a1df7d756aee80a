"""Rescan a catalog: score every dataset (or those changed since their last report).

Each dataset is read in one short read transaction, evaluated with no transaction open (link
checks may take seconds), and saved in one short write transaction, so a scan never blocks
the node's writers for long and can run beside a serving node.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import or_, select

from renkei.catalog.context import Catalog, utcnow
from renkei.quality.links import LinkChecker
from renkei.quality.report import evaluate, gather, save
from renkei.search.index import queue
from renkei.store.tables import Package, QualityReport


@dataclass
class ScanSummary:
    scanned: int = 0
    skipped: int = 0
    bands: dict[str, int] = field(default_factory=dict)
    stars: dict[str, int] = field(default_factory=dict)
    errors: int = 0


def datasets_to_scan(
    catalog: Catalog,
    *,
    everything: bool,
    names: Iterable[str] = (),
    older_than: timedelta = timedelta(days=7),
) -> list[str]:
    """Ids of the active datasets to score: the named ones, else all (``everything``), else
    those never scored, changed since their last report, or scored longer than
    ``older_than`` ago (freshness changes with time alone)."""
    wanted = list(names)
    with catalog.context(write=False) as ctx:
        query = select(Package.id).where(Package.state == "active").order_by(Package.name)
        if wanted:
            query = query.where(or_(Package.name.in_(wanted), Package.id.in_(wanted)))
        elif not everything:
            query = query.outerjoin(
                QualityReport,
                (QualityReport.subject_type == "dataset")
                & (QualityReport.subject_id == Package.id),
            ).where(
                or_(
                    QualityReport.subject_id.is_(None),
                    QualityReport.scored_at < Package.metadata_modified,
                    QualityReport.scored_at < utcnow() - older_than,
                )
            )
        return list(ctx.session.scalars(query))


def scan(
    catalog: Catalog,
    package_ids: list[str],
    *,
    links: bool = False,
    progress: Callable[[int, int, str], None] | None = None,
) -> ScanSummary:
    summary = ScanSummary()
    scored: list[str] = []
    checker = LinkChecker.from_settings(catalog.settings) if links else None
    try:
        for done, package_id in enumerate(package_ids, start=1):
            with catalog.context(write=False) as ctx:
                pkg = ctx.session.get(Package, package_id)
                scan_input = gather(ctx, pkg) if pkg is not None and pkg.state == "active" else None
            if scan_input is None:
                summary.skipped += 1  # purged or deleted since the list was made
            else:
                evaluation = evaluate(scan_input, links=checker)
                with catalog.context() as ctx:
                    saved = save(ctx, evaluation, reindex=False)
                if saved:
                    scored.append(package_id)
                    report = evaluation.dataset_report
                    summary.scanned += 1
                    band = str(report["band"])
                    summary.bands[band] = summary.bands.get(band, 0) + 1
                    stars = str(report["stars"])
                    summary.stars[stars] = summary.stars.get(stars, 0) + 1
                    summary.errors += report["counts"]["error"]
                else:
                    summary.skipped += 1
            if progress is not None:
                progress(done, len(package_ids), package_id)
    finally:
        if checker is not None:
            checker.close()
        _queue_for_search(catalog, scored)
    return summary


def _queue_for_search(catalog: Catalog, package_ids: list[str]) -> None:
    """Queue the scored datasets for the search index (their quality boost) in one
    transaction: the index then applies them in one commit, not one per dataset."""
    for start in range(0, len(package_ids), 1000):
        with catalog.context() as ctx:
            for package_id in package_ids[start : start + 1000]:
                queue(ctx, package_id)
