"""Scores kept fresh: a committed change of a scored dataset queues its rescore.

The catalog tells its dataset listeners, after each commit, which datasets a write changed
(metadata, resources, the organisation's names). For those that already have a report, a
rescore goes to the node's job queue under the key ``quality:<id>``, delayed by
``quality_on_save_delay``: the edits that follow while it waits fold into it, so a burst of
edits gives one rescore. The rescore is ``renkei quality scan`` without link checks (the
previous link results of unchanged URLs are kept, as the scan does) and without reading
unchanged files again: an upload whose hash, name and format are those its stored content
scores were computed on keeps them. Saving the report queues the dataset for the search
index, so the quality boost and facet follow.

Datasets never scored are left to ``renkei quality scan`` (a harvest of thousands of new
datasets queues nothing). A rescore lost with a stopped process leaves the report marked
stale, as it was before this module: the next scan or edit catches up.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import select

from renkei.catalog.context import utcnow
from renkei.quality.report import evaluate, gather, save
from renkei.store.tables import Package, QualityReport

if TYPE_CHECKING:
    from renkei.catalog.context import Catalog

log = logging.getLogger(__name__)


def job_key(package_id: str) -> str:
    return f"quality:{package_id}"


def datasets_changed(catalog: Catalog, package_ids: set[str]) -> None:
    """The catalog's dataset listener: queue the rescore of the changed datasets that have a
    report (one short read)."""
    if not catalog.settings.quality_on_save or catalog.jobs is None:
        return
    with catalog.context(write=False) as ctx:
        scored = set(
            ctx.session.scalars(
                select(QualityReport.subject_id).where(
                    QualityReport.subject_type == "dataset",
                    QualityReport.subject_id.in_(sorted(package_ids)),
                )
            )
        )
    for package_id in sorted(scored):
        catalog.jobs.submit(
            job_key(package_id),
            lambda package_id=package_id: rescore(catalog, package_id),  # type: ignore[misc]
            delay=catalog.settings.quality_on_save_delay,
        )


def rescore(catalog: Catalog, package_id: str) -> bool:
    """Score the dataset again; False when there was nothing to score (purged, deleted or
    never scored)."""
    # The report is dated before the read: an edit that commits after the read finds the
    # report older than itself (stale) and queues the next rescore, which reads it. (No
    # "already fresh" shortcut: a report dated after an edit the read did not see would
    # wrongly skip that rescore.)
    as_of = utcnow()
    with catalog.context(write=False) as ctx:
        pkg = ctx.session.get(Package, package_id)
        if pkg is None or pkg.state != "active":
            return False
        if ctx.session.get(QualityReport, ("dataset", package_id)) is None:
            return False
        scan_input = gather(ctx, pkg, reuse_content=True)
    evaluation = evaluate(scan_input, now=as_of)
    with catalog.context() as ctx:
        saved = save(ctx, evaluation)
    if saved:
        log.info("quality: %s rescored after a change", package_id)
    return saved
