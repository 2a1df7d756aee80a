"""The Action API's table of actions: name -> service function. One place, no HTTP inside."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from renkei.catalog import activity, groups, packages, resources, revise, site, users
from renkei.datastore import sandbox
from renkei.datastore import service as datastore
from renkei.search import service as search


@dataclass(frozen=True)
class Action:
    func: Callable[..., Any]
    accepts_upload: bool = False
    # Read-only actions may be called with GET; CKAN also allows GET for them only.
    read_only: bool = False


def _read(func: Callable[..., Any]) -> Action:
    return Action(func, read_only=True)


def _write(func: Callable[..., Any], upload: bool = False) -> Action:
    return Action(func, accepts_upload=upload)


ACTIONS: dict[str, Action] = {
    "status_show": _read(site.status_show),
    "site_read": _read(site.site_read),
    "license_list": _read(site.license_list),
    "package_list": _read(packages.package_list),
    "package_show": _read(packages.package_show),
    "package_search": _read(search.package_search),
    "package_autocomplete": _read(packages.package_autocomplete),
    "current_package_list_with_resources": _read(packages.current_package_list_with_resources),
    "package_create": _write(packages.package_create),
    "package_update": _write(packages.package_update),
    "package_patch": _write(packages.package_patch),
    "package_delete": _write(packages.package_delete),
    "package_revise": _write(revise.package_revise),
    "dataset_purge": _write(packages.dataset_purge),
    "resource_show": _read(resources.resource_show),
    "resource_create": _write(resources.resource_create, upload=True),
    "resource_update": _write(resources.resource_update, upload=True),
    "resource_patch": _write(resources.resource_patch, upload=True),
    "resource_delete": _write(resources.resource_delete),
    "organization_list": _read(groups.organization_list),
    "organization_show": _read(groups.organization_show),
    "organization_list_for_user": _read(groups.organization_list_for_user),
    "organization_create": _write(groups.organization_create),
    "organization_update": _write(groups.organization_update),
    "organization_patch": _write(groups.organization_patch),
    "organization_delete": _write(groups.organization_delete),
    "organization_member_create": _write(groups.organization_member_create),
    "organization_member_delete": _write(groups.organization_member_delete),
    "group_list": _read(groups.group_list),
    "group_show": _read(groups.group_show),
    "group_create": _write(groups.group_create),
    "group_update": _write(groups.group_update),
    "group_patch": _write(groups.group_patch),
    "group_delete": _write(groups.group_delete),
    "group_member_create": _write(groups.group_member_create),
    "group_member_delete": _write(groups.group_member_delete),
    "member_list": _read(groups.member_list),
    "tag_list": _read(search.tag_list),
    "user_show": _read(users.user_show),
    "user_list": _read(users.user_list),
    "api_token_create": _write(users.api_token_create),
    "api_token_list": _read(users.api_token_list),
    "api_token_revoke": _write(users.api_token_revoke),
    "package_activity_list": _read(activity.package_activity_list),
    "organization_activity_list": _read(activity.organization_activity_list),
    "group_activity_list": _read(activity.group_activity_list),
    "datastore_create": _write(datastore.datastore_create),
    "datastore_upsert": _write(datastore.datastore_upsert),
    "datastore_delete": _write(datastore.datastore_delete),
    "datastore_info": _read(datastore.datastore_info),
    "datastore_search": _read(datastore.datastore_search),
    "datastore_search_sql": _read(sandbox.datastore_search_sql),
}


def help_text(name: str) -> str | None:
    action = ACTIONS.get(name)
    if action is None:
        return None
    return (action.func.__doc__ or f"{name}: see the CKAN Action API reference.").strip()
