"""``renkei datastore status|reload``: a failed load is listed, and loads again on request."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from renkei.api.app import build_catalog
from renkei.cli import app
from renkei.store.tables import DatastoreTable
from tests.datastore.test_loading import _upload


def test_a_failed_load_is_listed_and_reloaded(api, ds, catalog, settings, fixture_file):  # type: ignore[no-untyped-def]
    res = _upload(api, ds, fixture_file("csv-ja/nanao_shelter_reference_data.csv"))
    assert catalog.datastore.jobs.join(timeout=60)
    with catalog.context() as ctx:  # as a load that ran out of disk leaves it
        table = ctx.session.get(DatastoreTable, res["id"])
        table.status, table.message = "failed", "No space left on device"
    catalog.datastore.close()
    runner = CliRunner()
    data_dir = ["--data-dir", str(settings.data_dir)]
    listed = runner.invoke(app, ["datastore", "status", "--failed", "--format", "json", *data_dir])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [(r["resource_id"], r["message"]) for r in rows] == [
        (res["id"], "No space left on device")
    ]
    reloaded = runner.invoke(
        app, ["datastore", "reload", "--failed", "--format", "json", *data_dir]
    )
    assert reloaded.exit_code == 0, reloaded.output
    assert json.loads(reloaded.output)[0]["status"] == "active"
    with build_catalog(settings).context() as ctx:
        assert ctx.session.get(DatastoreTable, res["id"]).row_count == 112
    nothing = runner.invoke(app, ["datastore", "reload", *data_dir])
    assert nothing.exit_code == 2
