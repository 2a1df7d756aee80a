"""DataStore fixtures: an organization, an editor, public and private datasets with a resource."""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass
class Setup:
    editor: str  # token
    outsider: str  # token of a user outside the organization
    public_resource: str
    private_resource: str
    public_dataset: str


@pytest.fixture
def ds(api, make_user) -> Setup:  # type: ignore[no-untyped-def]
    admin = make_user("ds-admin", sysadmin=True)
    editor = make_user("ds-editor")
    outsider = make_user("ds-outsider")
    api.ok("organization_create", admin.token, name="city", title="City")
    api.ok(
        "organization_member_create", admin.token, id="city", username="ds-editor", role="editor"
    )
    public = api.ok("package_create", editor.token, name="facilities", owner_org="city")
    private = api.ok(
        "package_create", editor.token, name="internal", owner_org="city", private=True
    )
    pub_res = api.ok("resource_create", editor.token, package_id=public["id"], url="http://x/a")
    priv_res = api.ok("resource_create", editor.token, package_id=private["id"], url="http://x/b")
    return Setup(editor.token, outsider.token, pub_res["id"], priv_res["id"], public["id"])
