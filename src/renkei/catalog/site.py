"""Facts about this node: ``status_show``, ``site_read``, ``license_list``."""

from __future__ import annotations

from typing import Any

from renkei import __version__
from renkei.catalog.context import Context
from renkei.model.licenses import LICENSES

# The CKAN API version whose Action API this node reproduces; clients use it for feature checks.
CKAN_COMPATIBLE_VERSION = "2.11.0"


def status_show(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "site_title": ctx.settings.site_title,
        "site_description": ctx.settings.site_description,
        "site_url": ctx.settings.site_url,
        "ckan_version": CKAN_COMPATIBLE_VERSION,
        "renkei_version": __version__,
        "locale_default": ctx.settings.default_locale,
        "extensions": [],
    }


def site_read(ctx: Context, data: dict[str, Any]) -> bool:
    return True


def license_list(ctx: Context, data: dict[str, Any]) -> list[dict[str, Any]]:
    return [lic.as_ckan_dict() for lic in LICENSES]
