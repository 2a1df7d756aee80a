"""Stable download URLs for uploaded files, with the same access rules as the dataset."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from renkei.api.deps import catalog_of, request_context, token_from
from renkei.catalog.context import Catalog
from renkei.catalog.resources import resource_of_dataset
from renkei.errors import RenkeiError

router = APIRouter()


def _locate(
    catalog: Catalog, token: str | None, package_ref: str, resource_id: str
) -> tuple[Path | None, str | None, str | None, str | None]:
    """(file path, link, file name, mimetype) of a resource the caller may read.

    Whatever the reason it can't be served — no such resource, another dataset's, or one in a
    dataset the caller can't read — the answer is the same, so nothing is confirmed.
    """
    with request_context(catalog, token, write=False) as ctx:
        res, _ = resource_of_dataset(ctx, package_ref, resource_id)
        if res.url_type != "upload" or not res.blob_key:
            return None, res.url, None, None
        return catalog.blobs.path(res.blob_key), None, res.url, res.mimetype


@router.get("/dataset/{package_ref}/resource/{resource_id}/download", name="download")
@router.get(
    "/dataset/{package_ref}/resource/{resource_id}/download/{filename}", name="download_file"
)
async def download(
    request: Request, package_ref: str, resource_id: str, filename: str = ""
) -> Response:
    """The resource's uploaded file; link-only resources redirect to their URL."""
    catalog = catalog_of(request)
    try:
        path, link, stored_name, mimetype = await run_in_threadpool(
            _locate, catalog, token_from(request), package_ref, resource_id
        )
    except RenkeiError as exc:
        return JSONResponse(
            {"success": False, "error": exc.ckan_error()}, status_code=exc.status_code
        )
    if path is None:
        if not link:
            return JSONResponse(
                {
                    "success": False,
                    "error": {"__type": "Not Found Error", "message": "No file or URL"},
                },
                status_code=404,
            )
        return RedirectResponse(link, status_code=302)
    if not path.is_file():
        return JSONResponse(
            {
                "success": False,
                "error": {
                    "__type": "Not Found Error",
                    "message": "The file is missing from storage",
                },
            },
            status_code=410,
        )
    return FileResponse(
        path,
        media_type=mimetype or "application/octet-stream",
        filename=stored_name or filename or "file",
        content_disposition_type="attachment",
    )
