"""Authorization matrix: every Action API action (and the download route) x six callers x a
public and a private dataset, each cell its own test.

The world (built once per module through the service layer, then copied for every test, so
each test starts from the same state and may change it freely):

- ``sysadmin``: a sysadmin who holds no membership anywhere (so only the flag grants access);
- org A (``org-a``) with its ``admin``, ``editor`` and ``member``; org B (``org-b``) with its
  admin, the caller ``other_admin``;
- the group ``themes``, whose admin is ``other_admin`` and whose member is ``member`` (so group
  roles are never the same as org A roles);
- in org A, one public and one private dataset, both in ``themes``, each with one link resource.
  Everything about the private dataset carries the marker ``SECRET``; a caller who may not read
  it must never receive that marker (nor its id, unless they sent it) in any response.

``RULES`` says who gets what status for each action; the ``check_*`` functions perform the
action and assert its effect (allowed writes changed what they should, refused writes changed
nothing, as re-read by the sysadmin; listings and counts show the private dataset only to whom
they should). For actions without a dataset argument the visibility axis selects which of the two
datasets the listings and counts are examined for.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from renkei.api.app import build_catalog
from renkei.api.registry import ACTIONS
from renkei.catalog import users
from renkei.catalog.context import Catalog
from renkei.config import Settings
from renkei.store.tables import User

CALLERS = ("anonymous", "member", "editor", "admin", "other_admin", "sysadmin")
VISIBILITIES = ("public", "private")
USERNAMES = {
    "member": "a-member",
    "editor": "a-editor",
    "admin": "a-admin",
    "other_admin": "b-admin",
    "sysadmin": "site-admin",
}
SECRET = "kimitsu7"

OK, FORBIDDEN, NOT_FOUND, CONFLICT = 200, 403, 404, 409
ERROR_TYPES = {403: "Authorization Error", 404: "Not Found Error", 409: "Validation Error"}

EVERYONE = frozenset(CALLERS)
LOGGED_IN = EVERYONE - {"anonymous"}
ORG_A_READERS = frozenset({"member", "editor", "admin", "sysadmin"})
ORG_A_EDITORS = frozenset({"editor", "admin", "sysadmin"})
ORG_A_ADMINS = frozenset({"admin", "sysadmin"})
GROUP_MEMBERS = frozenset({"member", "other_admin", "sysadmin"})
GROUP_ADMINS = frozenset({"other_admin", "sysadmin"})
SYSADMINS = frozenset({"sysadmin"})


def sees(caller: str, visibility: str) -> bool:
    """May ``caller`` read org A's dataset of this visibility?"""
    return visibility == "public" or caller in ORG_A_READERS


# --- who gets which status: rule(caller, visibility) -> HTTP status -----------------------------

Rule = Callable[[str, str], int]


def allowed(who: frozenset[str]) -> Rule:
    return lambda caller, visibility: OK if caller in who else FORBIDDEN


def read_dataset(caller: str, visibility: str) -> int:
    # Private datasets look absent (404, not 403) to those who can't read them.
    return OK if sees(caller, visibility) else NOT_FOUND


def write_dataset(caller: str, visibility: str) -> int:
    if caller in ORG_A_EDITORS:
        return OK
    return FORBIDDEN if sees(caller, visibility) else NOT_FOUND


everyone = allowed(EVERYONE)

RULES: dict[str, Rule] = {
    "status_show": everyone,
    "site_read": everyone,
    "license_list": everyone,
    # Reading one dataset.
    "package_show": read_dataset,
    "resource_show": read_dataset,
    "package_activity_list": read_dataset,
    "download": read_dataset,
    # Listings answer everyone; which datasets they contain is checked per action.
    "package_list": everyone,
    "package_search": everyone,
    "package_autocomplete": everyone,
    "current_package_list_with_resources": everyone,
    "tag_list": everyone,
    "organization_list": everyone,
    "organization_show": everyone,
    "organization_list_for_user": everyone,
    "organization_activity_list": everyone,
    "group_list": everyone,
    "group_show": everyone,
    "group_activity_list": everyone,
    # Writing datasets and resources of org A.
    "package_create": allowed(ORG_A_EDITORS),
    "package_update": write_dataset,
    "package_patch": write_dataset,
    "package_revise": write_dataset,
    "package_delete": write_dataset,
    "resource_create": write_dataset,
    "resource_update": write_dataset,
    "resource_patch": write_dataset,
    "resource_delete": write_dataset,
    "dataset_purge": allowed(SYSADMINS),
    # Organizations and groups.
    "organization_create": allowed(SYSADMINS),
    "organization_update": allowed(ORG_A_ADMINS),
    "organization_patch": allowed(ORG_A_ADMINS),
    "organization_delete": allowed(ORG_A_ADMINS),
    "organization_member_create": allowed(ORG_A_ADMINS),
    "organization_member_delete": allowed(ORG_A_ADMINS),
    "member_list": allowed(ORG_A_READERS),  # object_type=user; object_type=package is public
    "group_create": allowed(SYSADMINS),
    "group_update": allowed(GROUP_ADMINS),
    "group_patch": allowed(GROUP_ADMINS),
    "group_delete": allowed(GROUP_ADMINS),
    "group_member_create": allowed(GROUP_ADMINS),
    "group_member_delete": allowed(GROUP_ADMINS),
    # Users and tokens.
    "user_show": everyone,
    "user_list": everyone,
    "api_token_create": allowed(LOGGED_IN),
    "api_token_list": allowed(LOGGED_IN),
    "api_token_revoke": allowed(LOGGED_IN),
    # DataStore tables of the datasets' resources.
    "datastore_info": read_dataset,
    "datastore_search": read_dataset,
    "datastore_search_sql": lambda caller, visibility: (
        # A table the caller can't read doesn't exist in their sandbox: an unknown table (409).
        OK if sees(caller, visibility) else CONFLICT
    ),
    "datastore_create": write_dataset,
    "datastore_upsert": write_dataset,
    "datastore_delete": write_dataset,
}


# --- the world -----------------------------------------------------------------------------------


@dataclass
class Account:
    id: str
    name: str
    token: str


@dataclass
class World:
    api: Any
    catalog: Catalog
    accounts: dict[str, Account]  # caller -> account (none for "anonymous")
    newbie: Account  # a user with no role anywhere, to be added to org A or the group
    org_a: dict[str, Any]
    group: dict[str, Any]
    datasets: dict[str, dict[str, Any]]  # visibility -> package dict

    def token(self, caller: str) -> str | None:
        return None if caller == "anonymous" else self.accounts[caller].token

    def user_id(self, caller: str) -> str:
        return self.accounts[caller].id

    def sys(self, action: str, **data: Any) -> Any:
        return self.api.ok(action, self.accounts["sysadmin"].token, **data)

    def sys_status(self, action: str, **data: Any) -> int:
        return self.api.call(action, self.accounts["sysadmin"].token, **data).status_code

    def package(self, visibility: str) -> dict[str, Any]:
        return self.sys("package_show", id=self.datasets[visibility]["id"])

    def resource_id(self, visibility: str) -> str:
        return self.datasets[visibility]["resources"][0]["id"]

    def leave_only(self, visibility: str) -> None:
        """Soft-delete the other dataset: counts then depend on this one alone."""
        other = "private" if visibility == "public" else "public"
        self.sys("package_delete", id=self.datasets[other]["id"])

    def new_token(self, caller: str) -> tuple[str, str]:
        with self.catalog.context() as ctx:
            user = ctx.session.get(User, self.user_id(caller))
            token, secret = users.create_token(ctx, user, "spare")
        return token.id, secret

    def token_works(self, secret: str) -> bool:
        return self.api.call("user_show", secret).status_code == OK

    def private_markers(self) -> tuple[str, ...]:
        return SECRET, self.datasets["private"]["id"], self.resource_id("private")


@dataclass
class Seed:
    """The world as built once per module; each test runs on its own copy of ``data_dir``."""

    data_dir: Path
    accounts: dict[str, Account]
    newbie: Account
    org_a: dict[str, Any]
    group: dict[str, Any]
    datasets: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Seed:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("seed") / "data", site_url="http://testserver"
    )
    catalog = build_catalog(settings)
    accounts: dict[str, Account] = {}
    with catalog.context() as ctx:
        for caller, name in [*USERNAMES.items(), ("newbie", "newbie")]:
            user = users.create_user(
                ctx, name, email=f"{name}@example.org", sysadmin=caller == "sysadmin"
            )
            _, secret = users.create_token(ctx, user, "tests")
            accounts[caller] = Account(user.id, name, secret)
    newbie = accounts.pop("newbie")

    def sysadmin(action: str, **data: Any) -> Any:
        with catalog.context(accounts["sysadmin"].id) as ctx:
            return ACTIONS[action].func(ctx, data)

    org_a = sysadmin("organization_create", name="org-a", title="Org A")
    sysadmin("organization_create", name="org-b", title="Org B")
    group = sysadmin("group_create", name="themes", title="Themes")
    for ref, caller, role in [
        ("org-a", "member", "member"),
        ("org-a", "editor", "editor"),
        ("org-a", "admin", "admin"),
        ("org-b", "other_admin", "admin"),
        ("themes", "other_admin", "admin"),
        ("themes", "member", "member"),
    ]:
        action = "group_member_create" if ref == "themes" else "organization_member_create"
        sysadmin(action, id=ref, username=USERNAMES[caller], role=role)
    # Creators become admins; the sysadmin must owe nothing to a membership.
    for ref in ("org-a", "org-b"):
        sysadmin("organization_member_delete", id=ref, username="site-admin")
    sysadmin("group_member_delete", id="themes", username="site-admin")

    datasets = {}
    for visibility, word in (("public", "open"), ("private", SECRET)):
        datasets[visibility] = sysadmin(
            "package_create",
            name=f"{visibility}-{word}",
            title=f"{word.title()} budget ledger",
            notes=f"Notes about {word}",
            owner_org="org-a",
            private=visibility == "private",
            tags=[{"name": f"tag-{word}"}],
            groups=[{"name": "themes"}],
            resources=[{"url": f"https://example.org/{word}.csv", "name": f"{word} sheet"}],
        )
        sysadmin(
            "datastore_create",
            resource_id=datasets[visibility]["resources"][0]["id"],
            fields=[{"id": "label", "type": "text"}],
            records=[{"label": f"row of {word}"}],
        )
    catalog.sessions.kw["bind"].dispose()  # close SQLite so that the files can be copied
    return Seed(settings.data_dir, accounts, newbie, org_a, group, datasets)


@pytest.fixture
def catalog(settings: Settings, seed: Seed) -> Catalog:
    """Overrides conftest's: this module's node starts as a fresh copy of the seeded world."""
    shutil.copytree(seed.data_dir, settings.data_dir)
    return build_catalog(settings, migrate=False)


@pytest.fixture
def world(api: Any, catalog: Catalog, seed: Seed) -> World:
    return World(api, catalog, seed.accounts, seed.newbie, seed.org_a, seed.group, seed.datasets)


# --- one cell of the matrix ---------------------------------------------------------------------


@dataclass
class Cell:
    world: World
    action: str
    caller: str
    visibility: str
    expect: int

    @property
    def token(self) -> str | None:
        return self.world.token(self.caller)

    @property
    def dataset(self) -> dict[str, Any]:
        return self.world.datasets[self.visibility]

    @property
    def resource_id(self) -> str:
        return self.world.resource_id(self.visibility)

    @property
    def sees(self) -> bool:
        return sees(self.caller, self.visibility)

    @property
    def allowed(self) -> bool:
        return self.expect == OK

    def call(self, action: str | None = None, *, expect: int | None = None, **data: Any) -> Any:
        """Call as this cell's caller; assert the status (and error type); return the result."""
        action = action or self.action
        expect = self.expect if expect is None else expect
        response = self.world.api.call(action, self.token, **data)
        self.assert_no_leak(data, response.text)
        body = response.json()
        context = (action, self.caller, self.visibility, response.status_code, body)
        assert response.status_code == expect, context
        if expect == OK:
            assert body["success"] is True, context
            return body["result"]
        assert body["success"] is False, context
        assert body["error"]["__type"] == ERROR_TYPES[expect], context
        if expect == NOT_FOUND:
            self.assert_like_missing(action, data, body["error"])
        return body["error"]

    def assert_no_leak(self, request: Any, text: str) -> None:
        """Outsiders never receive the private dataset's marker, or ids they didn't send."""
        if self.caller in ORG_A_READERS:
            return
        sent = json.dumps(request)
        for marker in self.world.private_markers():
            if marker not in sent:
                assert marker not in text.lower(), (self.action, self.caller, marker, text)

    def assert_like_missing(self, action: str, data: dict[str, Any], error: Any) -> None:
        """A 404 for a private object equals the 404 for an object that does not exist."""
        real = json.dumps(data)
        swaps = {m: str(uuid.uuid4()) for m in self.world.private_markers()[1:] if m in real}
        if not swaps:
            return
        for marker, fake in swaps.items():
            real = real.replace(marker, fake)
        twin = self.world.api.call(action, self.token, **json.loads(real))
        twin_error = json.dumps(twin.json()["error"])
        for marker, fake in swaps.items():
            twin_error = twin_error.replace(fake, marker)
        assert twin.status_code == NOT_FOUND
        assert json.dumps(error) == twin_error, "the 404 tells a private object from a missing one"


CHECKS: dict[str, Callable[[Cell], None]] = {}


def check(*actions: str) -> Callable[[Callable[[Cell], None]], Callable[[Cell], None]]:
    def register(func: Callable[[Cell], None]) -> Callable[[Cell], None]:
        for action in actions:
            CHECKS[action] = func
        return func

    return register


# --- site ----------------------------------------------------------------------------------------


@check("status_show", "site_read", "license_list")
def check_site(c: Cell) -> None:
    assert c.call()


# --- reading one dataset -------------------------------------------------------------------------


@check("package_show")
def check_package_show(c: Cell) -> None:
    result = c.call(id=c.dataset["id"])
    if c.allowed:
        assert result["id"] == c.dataset["id"]
        assert result["private"] is (c.visibility == "private")


@check("resource_show")
def check_resource_show(c: Cell) -> None:
    result = c.call(id=c.resource_id)
    if c.allowed:
        assert result["id"] == c.resource_id
        assert result["package_id"] == c.dataset["id"]


@check("package_activity_list")
def check_package_activity_list(c: Cell) -> None:
    result = c.call(id=c.dataset["id"])
    if c.allowed:
        assert [a["activity_type"] for a in result] == ["new package"]
        assert {a["object_id"] for a in result} == {c.dataset["id"]}


@check("download")
def check_download(c: Cell) -> None:
    path = f"/dataset/{c.dataset['id']}/resource/{c.resource_id}/download"
    headers = {"Authorization": c.token} if c.token else {}
    response = c.world.api.client.get(path, headers=headers, follow_redirects=False)
    c.assert_no_leak(path, response.text)
    if c.allowed:
        assert response.status_code == 302
        assert response.headers["location"] == c.dataset["resources"][0]["url"]
    else:
        assert response.status_code == c.expect
        assert response.json()["error"]["__type"] == ERROR_TYPES[c.expect]


# --- listings and counts -------------------------------------------------------------------------


@check("package_list")
def check_package_list(c: Cell) -> None:
    names = c.call()
    # Private datasets are never listed here, whoever asks.
    assert (c.dataset["name"] in names) is (c.visibility == "public")


@check("package_search")
def check_package_search(c: Cell) -> None:
    c.world.leave_only(c.visibility)
    for include_private in (False, True):
        result = c.call(
            include_private=include_private,
            **{"facet.field": ["organization", "groups", "tags"]},
        )
        shown = c.visibility == "public" or (include_private and c.sees)
        expected_ids = [c.dataset["id"]] if shown else []
        assert result["count"] == len(expected_ids), (include_private, result)
        assert [r["id"] for r in result["results"]] == expected_ids
        tag = c.dataset["tags"][0]["name"]
        expected_facets = (
            {"organization": {"org-a": 1}, "groups": {"themes": 1}, "tags": {tag: 1}}
            if shown
            else {"organization": {}, "groups": {}, "tags": {}}
        )
        assert result["facets"] == expected_facets, include_private


@check("package_autocomplete")
def check_package_autocomplete(c: Cell) -> None:
    names = [item["name"] for item in c.call(q="ledger")]
    assert (c.dataset["name"] in names) is c.sees


@check("current_package_list_with_resources")
def check_current_package_list(c: Cell) -> None:
    by_id = {p["id"]: p for p in c.call(limit=100)}
    assert (c.dataset["id"] in by_id) is c.sees
    if c.sees:
        assert [r["id"] for r in by_id[c.dataset["id"]]["resources"]] == [c.resource_id]


@check("tag_list")
def check_tag_list(c: Cell) -> None:
    tag = c.dataset["tags"][0]["name"]
    assert (tag in c.call()) is (c.visibility == "public")
    counts = {t["name"]: t["count"] for t in c.call(all_fields=True)}
    assert counts.get(tag, 0) == (1 if c.visibility == "public" else 0)


@check("organization_list")
def check_organization_list(c: Cell) -> None:
    c.world.leave_only(c.visibility)
    assert c.call() == ["org-a", "org-b"]
    counts = {o["name"]: o["package_count"] for o in c.call(all_fields=True)}
    assert counts == {"org-a": int(c.sees), "org-b": 0}


@check("organization_show")
def check_organization_show(c: Cell) -> None:
    c.world.leave_only(c.visibility)
    result = c.call(id="org-a", include_datasets=True)
    assert result["package_count"] == int(c.sees)
    assert [p["id"] for p in result["packages"]] == ([c.dataset["id"]] if c.sees else [])
    assert ("users" in result) is (c.caller in ORG_A_READERS)


@check("group_list")
def check_group_list(c: Cell) -> None:
    c.world.leave_only(c.visibility)
    assert c.call() == ["themes"]
    counts = {g["name"]: g["package_count"] for g in c.call(all_fields=True)}
    # Being the group's admin (other_admin) does not reveal org A's private datasets.
    assert counts == {"themes": int(c.sees)}


@check("group_show")
def check_group_show(c: Cell) -> None:
    c.world.leave_only(c.visibility)
    result = c.call(id="themes", include_datasets=True)
    assert result["package_count"] == int(c.sees)
    assert [p["id"] for p in result["packages"]] == ([c.dataset["id"]] if c.sees else [])
    assert ("users" in result) is (c.caller in GROUP_MEMBERS)


@check("organization_list_for_user")
def check_organization_list_for_user(c: Cell) -> None:
    own = {
        "anonymous": [],
        "member": ["org-a"],
        "editor": ["org-a"],
        "admin": ["org-a"],
        "other_admin": ["org-b"],
        "sysadmin": ["org-a", "org-b"],
    }[c.caller]
    assert [o["name"] for o in c.call(permission="read")] == own
    # Someone else's list: only that user and sysadmins.
    others = c.call(
        id="a-editor",
        permission="read",
        expect=OK if c.caller in {"editor", "sysadmin"} else FORBIDDEN,
    )
    if c.caller in {"editor", "sysadmin"}:
        assert [(o["name"], o["capacity"]) for o in others] == [("org-a", "editor")]


@check("member_list")
def check_member_list(c: Cell) -> None:
    members = c.call(id="org-a", object_type="user")
    if c.allowed:
        assert sorted(members) == sorted(
            [c.world.user_id(who), "user", who] for who in ("member", "editor", "admin")
        )
    packages = c.call(id="org-a", object_type="package", expect=OK)
    assert ([c.dataset["id"], "package", c.visibility] in packages) is c.sees
    # The group's members are listed to its own members, whatever their role in org A.
    group_members = c.call(
        id="themes",
        object_type="user",
        expect=OK if c.caller in GROUP_MEMBERS else FORBIDDEN,
    )
    if c.caller in GROUP_MEMBERS:
        assert len(group_members) == 2


@check("organization_activity_list")
def check_organization_activity_list(c: Cell) -> None:
    objects = {a["object_id"] for a in c.call(id="org-a")}
    assert c.world.org_a["id"] in objects
    assert (c.dataset["id"] in objects) is c.sees


@check("group_activity_list")
def check_group_activity_list(c: Cell) -> None:
    result = c.call(id="themes")
    assert result and {a["object_id"] for a in result} == {c.world.group["id"]}


# --- writing datasets and resources --------------------------------------------------------------


def assert_write_effect(c: Cell, before: dict[str, Any], changed: Callable[[Any], bool]) -> None:
    """Allowed: ``changed(after)`` holds. Refused: the dataset is exactly as before."""
    after = c.world.package(c.visibility)
    if c.allowed:
        assert changed(after), after
    else:
        assert after == before


@check("package_create")
def check_package_create(c: Cell) -> None:
    name = f"new-{c.caller.replace('_', '-')}"
    private = c.visibility == "private"
    c.call(name=name, title="New", owner_org="org-a", private=private)
    if c.allowed:
        created = c.world.sys("package_show", id=name)
        assert (created["owner_org"], created["private"]) == (c.world.org_a["id"], private)
    else:
        assert c.world.sys_status("package_show", id=name) == NOT_FOUND


@check("package_update", "package_patch", "package_revise")
def check_package_edit(c: Cell) -> None:
    before = c.world.package(c.visibility)
    title = f"Retitled by {c.caller}"
    pid = c.dataset["id"]
    if c.action == "package_update":
        c.call(
            id=pid, name=before["name"], title=title, owner_org="org-a", private=before["private"]
        )
    elif c.action == "package_patch":
        c.call(id=pid, title=title)
    else:
        c.call(match={"id": pid}, update={"title": title})
    assert_write_effect(c, before, lambda after: after["title"] == title)


@check("package_delete")
def check_package_delete(c: Cell) -> None:
    before = c.world.package(c.visibility)
    c.call(id=c.dataset["id"])
    assert_write_effect(c, before, lambda after: after["state"] == "deleted")


@check("dataset_purge")
def check_dataset_purge(c: Cell) -> None:
    before = c.world.package(c.visibility)
    c.call(id=c.dataset["id"])
    if c.allowed:
        assert c.world.sys_status("package_show", id=c.dataset["id"]) == NOT_FOUND
    else:
        assert c.world.package(c.visibility) == before


@check("resource_create")
def check_resource_create(c: Cell) -> None:
    before = c.world.package(c.visibility)
    c.call(package_id=c.dataset["id"], url="https://example.org/extra.csv", name="Extra")
    assert_write_effect(
        c, before, lambda after: [r["name"] for r in after["resources"]][1:] == ["Extra"]
    )


@check("resource_update", "resource_patch")
def check_resource_edit(c: Cell) -> None:
    before = c.world.package(c.visibility)
    if c.action == "resource_update":
        c.call(id=c.resource_id, url="https://example.org/replaced.csv", name="Replaced")
    else:
        c.call(id=c.resource_id, name="Replaced")
    assert_write_effect(c, before, lambda after: after["resources"][0]["name"] == "Replaced")


@check("resource_delete")
def check_resource_delete(c: Cell) -> None:
    before = c.world.package(c.visibility)
    c.call(id=c.resource_id)
    assert_write_effect(c, before, lambda after: after["resources"] == [])


# --- organizations and groups --------------------------------------------------------------------


@check("organization_create", "group_create")
def check_group_or_org_create(c: Cell) -> None:
    name = f"new-{c.caller.replace('_', '-')}"
    c.call(name=name, title="New")
    show = "organization_show" if c.action == "organization_create" else "group_show"
    assert c.world.sys_status(show, id=name) == (OK if c.allowed else NOT_FOUND)


def _group_edit(c: Cell, ref: str, show: str) -> None:
    before = c.world.sys(show, id=ref, include_users=True)
    title = f"Retitled by {c.caller}"
    if c.action.endswith("_update"):
        c.call(id=ref, name=ref, title=title)
    else:
        c.call(id=ref, title=title)
    after = c.world.sys(show, id=ref, include_users=True)
    assert after == ({**before, "title": title, "display_name": title} if c.allowed else before)


@check("organization_update", "organization_patch")
def check_organization_edit(c: Cell) -> None:
    _group_edit(c, "org-a", "organization_show")


@check("group_update", "group_patch")
def check_group_edit(c: Cell) -> None:
    _group_edit(c, "themes", "group_show")


@check("organization_delete")
def check_organization_delete(c: Cell) -> None:
    c.world.leave_only(c.visibility)
    # Admins are told the organization still has a dataset; others learn nothing.
    c.call(id="org-a", expect=CONFLICT if c.allowed else c.expect)
    c.world.sys("package_delete", id=c.dataset["id"])
    c.call(id="org-a")
    assert c.world.sys_status("organization_show", id="org-a") == (NOT_FOUND if c.allowed else OK)


@check("group_delete")
def check_group_delete(c: Cell) -> None:
    c.call(id="themes")
    assert c.world.sys_status("group_show", id="themes") == (NOT_FOUND if c.allowed else OK)
    # The dataset itself is untouched either way, and as readable as before.
    c.call("package_show", id=c.dataset["id"], expect=read_dataset(c.caller, c.visibility))


def _members(c: Cell, ref: str) -> list[list[str]]:
    return sorted(c.world.sys("member_list", id=ref, object_type="user"))


@check("organization_member_create", "group_member_create")
def check_member_create(c: Cell) -> None:
    ref = "org-a" if c.action.startswith("organization") else "themes"
    before = _members(c, ref)
    c.call(id=ref, username="newbie", role="member")
    newbie = [c.world.newbie.id, "user", "member"]
    assert _members(c, ref) == (sorted([*before, newbie]) if c.allowed else before)
    # Membership of org A opens its private dataset; membership of a group does not.
    opened = c.allowed and ref == "org-a"
    status = OK if c.visibility == "public" or opened else NOT_FOUND
    response = c.world.api.call("package_show", c.world.newbie.token, id=c.dataset["id"])
    assert response.status_code == status


@check("organization_member_delete", "group_member_delete")
def check_member_delete(c: Cell) -> None:
    ref = "org-a" if c.action.startswith("organization") else "themes"
    before = _members(c, ref)
    c.call(id=ref, username="a-member")
    removed = [m for m in before if m[0] != c.world.user_id("member")]
    assert _members(c, ref) == (removed if c.allowed else before)
    # Leaving org A closes its private dataset to the former member.
    closed = c.allowed and ref == "org-a"
    status = NOT_FOUND if c.visibility == "private" and closed else OK
    token = c.world.token("member")
    assert c.world.api.call("package_show", token, id=c.dataset["id"]).status_code == status


# --- users and tokens ----------------------------------------------------------------------------


@check("user_show")
def check_user_show(c: Cell) -> None:
    result = c.call(id="a-editor")
    assert result["id"] == c.world.user_id("editor")
    assert "password_hash" not in result and "apikey" not in result
    if c.caller in {"editor", "sysadmin"}:
        assert result["email"] == "a-editor@example.org"
    else:
        assert "email" not in result


@check("user_list")
def check_user_list(c: Cell) -> None:
    result = c.call()
    assert len(result) == len(USERNAMES) + 1
    own_id = None if c.caller == "anonymous" else c.world.user_id(c.caller)
    for user in result:
        assert ("email" in user) is (c.caller == "sysadmin" or user["id"] == own_id), user


def _token_count(c: Cell, caller: str) -> int:
    return len(c.world.sys("api_token_list", user_id=c.world.user_id(caller)))


@check("api_token_create")
def check_api_token_create(c: Cell) -> None:
    result = c.call(name="matrix")
    if c.allowed:
        me = c.world.api.ok("user_show", result["token"])
        assert me["id"] == c.world.user_id(c.caller)
    # A token for someone else: only that user or a sysadmin.
    before = _token_count(c, "editor")
    may = c.caller in {"editor", "sysadmin"}
    c.call(name="for-editor", user="a-editor", expect=OK if may else FORBIDDEN)
    assert _token_count(c, "editor") == before + int(may)


@check("api_token_list")
def check_api_token_list(c: Cell) -> None:
    result = c.call()
    if c.allowed:
        assert result and {t["user_id"] for t in result} == {c.world.user_id(c.caller)}
        assert all("token" not in t and "token_hash" not in t for t in result)
    may = c.caller in {"editor", "sysadmin"}
    others = c.call(user_id=c.world.user_id("editor"), expect=OK if may else FORBIDDEN)
    if may:
        assert {t["user_id"] for t in others} == {c.world.user_id("editor")}


@check("api_token_revoke")
def check_api_token_revoke(c: Cell) -> None:
    owner = "editor" if c.caller == "anonymous" else c.caller
    jti, secret = c.world.new_token(owner)
    c.call(jti=jti)
    assert c.world.token_works(secret) is not c.allowed
    # Someone else's token: only a sysadmin may revoke it.
    victim = "member" if c.caller == "editor" else "editor"
    jti, secret = c.world.new_token(victim)
    c.call(jti=jti, expect=OK if c.caller == "sysadmin" else FORBIDDEN)
    assert c.world.token_works(secret) is (c.caller != "sysadmin")


# --- DataStore -----------------------------------------------------------------------------------


def _table_rows(c: Cell) -> list[dict[str, Any]] | None:
    """The table's rows as the sysadmin reads them; None when the table is gone."""
    response = c.world.api.call(
        "datastore_search", c.world.accounts["sysadmin"].token, resource_id=c.resource_id
    )
    return response.json()["result"]["records"] if response.status_code == OK else None


@check("datastore_info")
def check_datastore_info(c: Cell) -> None:
    result = c.call(id=c.resource_id)
    if c.allowed:
        assert result["meta"]["count"] == 1 and result["fields"][0]["id"] == "label"


@check("datastore_search")
def check_datastore_search(c: Cell) -> None:
    result = c.call(resource_id=c.resource_id, q="row")
    if c.allowed:
        assert result["total"] == 1 and result["records"][0]["label"].startswith("row of")


@check("datastore_search_sql")
def check_datastore_search_sql(c: Cell) -> None:
    result = c.call(sql=f'SELECT label FROM "{c.resource_id}"')
    if c.allowed:
        assert result["records"][0]["label"].startswith("row of")
    else:
        assert "does not exist" in result["sql"][0]


@check("datastore_create")
def check_datastore_create(c: Cell) -> None:
    c.call(resource_id=c.resource_id, fields=[{"id": "extra", "type": "int"}])
    rows = _table_rows(c)
    assert rows is not None and ("extra" in rows[0]) is c.allowed


@check("datastore_upsert")
def check_datastore_upsert(c: Cell) -> None:
    c.call(resource_id=c.resource_id, method="insert", records=[{"label": "added"}])
    rows = _table_rows(c)
    assert rows is not None and len(rows) == (2 if c.allowed else 1)


@check("datastore_delete")
def check_datastore_delete(c: Cell) -> None:
    c.call(resource_id=c.resource_id)
    assert (_table_rows(c) is None) is c.allowed


# --- the matrix ----------------------------------------------------------------------------------


def test_every_action_has_a_rule_and_a_check() -> None:
    assert set(RULES) == set(ACTIONS) | {"download"}
    assert set(CHECKS) == set(RULES)


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("action", sorted(RULES))
def test_authorization(world: World, action: str, caller: str, visibility: str) -> None:
    cell = Cell(world, action, caller, visibility, RULES[action](caller, visibility))
    CHECKS[action](cell)


# --- leaks that were found and closed -------------------------------------------------------------


def test_download_of_unreadable_private_resource_looks_missing(world: World) -> None:
    def get(package_id: str, resource_id: str) -> str:
        path = f"/dataset/{package_id}/resource/{resource_id}/download"
        response = world.api.client.get(path, follow_redirects=False)
        assert response.status_code == NOT_FOUND
        return response.text

    package_id, resource_id = world.datasets["private"]["id"], world.resource_id("private")
    fake_package, fake_resource = str(uuid.uuid4()), str(uuid.uuid4())
    real = get(package_id, resource_id)
    missing = get(fake_package, fake_resource)
    assert real == missing.replace(fake_package, package_id).replace(fake_resource, resource_id)


def test_activities_from_before_publication_stay_private(world: World) -> None:
    dataset = world.datasets["private"]
    world.sys("package_patch", id=dataset["id"], title="Published ledger", private=False)
    for action, ref in (
        ("package_activity_list", dataset["id"]),
        ("organization_activity_list", "org-a"),
    ):
        seen = [a for a in world.api.ok(action, None, id=ref) if a["object_id"] == dataset["id"]]
        # Only the publication itself (a public state) is visible, not the private past.
        assert [a["data"]["package"]["title"] for a in seen] == ["Published ledger"]
        assert all(a["data"]["package"]["private"] is False for a in seen)
