"""Streaming multipart/form-data reader: files go straight to the blob store's staging area.

Starlette's ``request.form()`` would first spool a whole upload to a temporary file and only
then let us check its size and hash it; here each chunk is counted, hashed and written as it
arrives, and an upload over the limit is refused the moment it crosses it.
"""

from __future__ import annotations

from typing import Any

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from renkei.catalog.resources import Upload
from renkei.errors import BadRequest, RenkeiError
from renkei.store.blobs import LocalBlobStore, StagedBlob

MAX_FIELD_BYTES = 1024 * 1024
MAX_FIELDS = 1000
FILE_FIELDS = ("upload",)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class _Reader:
    def __init__(self, blobs: LocalBlobStore, upload_limit: int) -> None:
        self.blobs = blobs
        self.upload_limit = upload_limit
        self.fields: dict[str, Any] = {}
        self.upload: Upload | None = None
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[str, bytes] = {}
        self._name = ""
        self._buffer = bytearray()
        self._staged: StagedBlob | None = None
        self._filename: str | None = None
        self._skip = False
        self._count = 0
        self.complete = False

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
            "on_end": self.end,
        }

    def part_begin(self) -> None:
        self._headers = {}
        self._buffer = bytearray()
        self._staged = None
        self._filename = None
        self._skip = False
        self._count += 1
        if self._count > MAX_FIELDS:
            raise BadRequest(f"Too many form fields (more than {MAX_FIELDS})")

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def header_end(self) -> None:
        self._headers[self._header_field.decode("latin-1").lower()] = self._header_value
        self._header_field = b""
        self._header_value = b""

    def headers_finished(self) -> None:
        disposition = self._headers.get("content-disposition", b"")
        _, options = parse_options_header(disposition.decode("latin-1"))
        name = options.get(b"name")
        if name is None:
            raise BadRequest("A form part has no name")
        self._name = _decode(name)
        filename = options.get(b"filename")
        if filename == b"" and self._name in FILE_FIELDS:
            # An HTML form's file input with no file chosen: no upload (as CKAN), not an empty file.
            self._skip = True
            return
        if filename is not None:
            if self._name not in FILE_FIELDS:
                raise BadRequest(
                    f"Files are accepted only in the 'upload' field, not {self._name!r}"
                )
            if self.upload is not None:
                raise BadRequest("Only one file can be uploaded per request")
            self._filename = _decode(filename)
            self._staged = self.blobs.stage(self.upload_limit, field_name=self._name)

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self._skip:
            return
        if self._staged is not None:
            self._staged.write(data[start:end])
            return
        self._buffer += data[start:end]
        if len(self._buffer) > MAX_FIELD_BYTES:
            raise BadRequest(f"Form field {self._name!r} is larger than {MAX_FIELD_BYTES} bytes")

    def part_end(self) -> None:
        if self._skip:
            return
        if self._staged is not None:
            self._staged.finish()
            content_type = self._headers.get("content-type")
            self.upload = Upload(
                filename=self._filename or "file",
                content_type=content_type.decode("latin-1") if content_type else None,
                staged=self._staged,
            )
            self._staged = None
            return
        value = _decode(bytes(self._buffer))
        if self._name in self.fields:
            existing = self.fields[self._name]
            self.fields[self._name] = (
                [*existing, value] if isinstance(existing, list) else [existing, value]
            )
        else:
            self.fields[self._name] = value

    def end(self) -> None:
        self.complete = True

    def discard(self) -> None:
        if self._staged is not None:
            self._staged.discard()
        if self.upload is not None:
            self.upload.staged.discard()


async def read_multipart(
    request: Request, blobs: LocalBlobStore, upload_limit: int
) -> tuple[dict[str, Any], Upload | None]:
    """Fields as strings (lists when repeated) and at most one staged upload."""
    _, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if not boundary:
        raise BadRequest("multipart/form-data request without a boundary")
    reader = _Reader(blobs, upload_limit)
    parser = MultipartParser(boundary, reader.callbacks())
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        if not reader.complete:
            # A cut-off body (client gone, proxy limit) must not pass for a shorter form.
            raise BadRequest("Malformed multipart body: it ends before the closing boundary")
    except RenkeiError:
        reader.discard()
        raise
    except Exception as exc:
        reader.discard()
        raise BadRequest(f"Malformed multipart body: {exc}") from None
    except BaseException:
        reader.discard()
        raise
    return reader.fields, reader.upload
