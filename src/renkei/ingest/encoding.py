"""Which text encoding decodes a file: BOMs first, then strict UTF-8, then the Japanese legacy
encodings, each verified over the WHOLE file (a sample can be clean while row 90 000 isn't).

charset-normalizer only orders the legacy candidates: it is given a sample cut at a line end
(it returns None for a sample cut inside a character). ``shift_jis`` is never answered: CP932
is its superset (髙, ①, NEC/IBM extensions) and what Windows writes.

This is the one detector of the project: inspection reads files, the quality checks pass the
bytes they already hold (``detect_encoding`` takes either), so both give the same verdict.
Verifying a legacy encoding means decoding the whole file; a caller that wants the text asks
for it (``transcode=True``) and gets it as UTF-8 from that same pass, instead of decoding the
file a second time.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from charset_normalizer import from_bytes

CHUNK = 1024 * 1024
SAMPLE = 256 * 1024
# UTF-8 multi-byte characters read cleanly before a bad byte: this many can't be chance, so the
# file is UTF-8 with a part in another encoding, even if CP932 happens to decode all of it.
MIXED_EVIDENCE = 8  # counted in bytes beyond one per character: 4 Japanese characters

# charset-normalizer's names for what we decode as cp932 / euc_jp.
_LEGACY = {"cp932": "cp932", "shift_jis": "cp932", "euc_jp": "euc_jp", "euc_jis_2004": "euc_jp"}


@dataclass
class EncodingResult:
    encoding: str
    # When no candidate decodes the whole file: where the first bad byte is, and what was tried.
    error_offset: int | None = None
    error_line: int | None = None
    tried: tuple[str, ...] = ()
    #: the whole file decoded by ``encoding`` and written as UTF-8, from the verifying pass;
    #: only with ``transcode=True``, for an encoding other than UTF-8 that decoded every byte
    utf8: bytes | None = field(default=None, repr=False)

    @property
    def bom(self) -> bool:
        """The encoding was told by a byte-order mark (which the codec strips)."""
        return self.encoding in ("utf-8-sig", "utf-16")


#: what the detector reads: a file, or bytes already in memory
Source = Path | bytes


@contextmanager
def _open(source: Source) -> Iterator[BinaryIO]:
    if isinstance(source, bytes | bytearray | memoryview):
        yield io.BytesIO(source)
    else:
        with source.open("rb") as handle:
            yield handle


def _strict_failure(
    source: Source, encoding: str, keep: list[bytes] | None = None
) -> tuple[int, int, int] | None:
    """(byte offset, 1-based line, multi-byte evidence before it) of the first byte
    ``encoding`` can't decode; None when the whole file decodes. The decoded text is appended
    to ``keep`` as UTF-8, chunk by chunk, when a list is given."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    lines = 1
    non_ascii = 0
    # A line end is one 0x0A byte in UTF-8, CP932 and EUC-JP (never a trail byte): counting
    # bytes is cheaper than counting in the decoded text. UTF-16 is counted in the text.
    count_text = encoding.startswith("utf-16")
    with _open(source) as handle:
        while chunk := handle.read(CHUNK):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                # Count the lines before the bad byte for a message a publisher can act on.
                good = chunk[: max(exc.start, 0)]
                non_ascii += len(good) - len(good.decode(encoding, "ignore"))
                return offset + exc.start, lines + _count_lines(good, encoding), non_ascii
            lines += text.count("\n") if count_text else chunk.count(b"\n")
            non_ascii += len(chunk) - len(text)  # bytes beyond one per character
            offset += len(chunk)
            if keep is not None:
                keep.append(text.encode("utf-8"))
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset, lines, non_ascii  # the file ends inside a character (truncated)
    return None


def _count_lines(raw: bytes, encoding: str) -> int:
    if encoding.startswith("utf-16"):
        return raw.count(b"\n\x00") if encoding != "utf-16-be" else raw.count(b"\x00\n")
    return raw.count(b"\n")


def _sample(source: Source) -> bytes:
    with _open(source) as handle:
        raw = handle.read(SAMPLE)
    cut = raw.rfind(b"\n")
    # A line end is a character boundary in UTF-8, CP932 and EUC-JP (0x0A is never a trail byte).
    return raw[: cut + 1] if cut > 0 and len(raw) == SAMPLE else raw


def utf16_without_bom(head: bytes) -> str | None:
    if len(head) < 4:
        return None
    even_zeros = head[0::2].count(0)
    odd_zeros = head[1::2].count(0)
    half = len(head) // 2
    if odd_zeros > half * 0.3 and even_zeros < half * 0.05:
        return "utf-16-le"
    if even_zeros > half * 0.3 and odd_zeros < half * 0.05:
        return "utf-16-be"
    return None


def detect_encoding(source: Source, *, transcode: bool = False) -> EncodingResult:
    """The encoding of a file (a path) or of its bytes (the same answer for both).

    With ``transcode``, a file in another encoding than UTF-8 comes back with its text as
    UTF-8 (``EncodingResult.utf8``), taken from the pass that verified the encoding."""
    with _open(source) as handle:
        head = handle.read(4096)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif (utf16 := utf16_without_bom(head)) is not None:
        candidates = [utf16]
    else:
        candidates = ["utf-8"]
    failures: dict[str, tuple[int, int, int]] = {}
    index = 0
    while index < len(candidates):
        candidate = candidates[index]
        # UTF-8 is already what the caller wants: its bytes need no copy.
        keep: list[bytes] | None = (
            [] if transcode and candidate not in ("utf-8", "utf-8-sig") else None
        )
        failure = _strict_failure(source, candidate, keep)
        if failure is None:
            utf8 = b"".join(keep) if keep is not None else None
            return EncodingResult(candidate, tried=tuple(candidates), utf8=utf8)
        failures[candidate] = failure
        if candidate == "utf-8" and failure[2] >= MIXED_EVIDENCE:
            break  # UTF-8 text, then something else: mixed, whatever else might decode it
        if candidate == "utf-8":
            # Only now is the detector worth its time: it orders the legacy encodings.
            candidates.extend(_legacy_order(_sample(source)))
        index += 1
    # Nothing decodes the whole file (mixed encodings, or binary): the candidate that got
    # furthest is the best reading, and the first bad byte is reported.
    best = max(failures, key=lambda name: failures[name][0])
    if "utf-8" in failures and failures["utf-8"][2] >= MIXED_EVIDENCE:
        best = "utf-8"
    offset, line, _ = failures[best]
    return EncodingResult(best, error_offset=offset, error_line=line, tried=tuple(candidates))


def _legacy_order(sample: bytes) -> list[str]:
    order: list[str] = []
    try:
        guesses = from_bytes(sample, cp_isolation=["cp932", "euc_jp", "shift_jis"])
        for match in guesses:
            name = _LEGACY.get(match.encoding)
            if name and name not in order:
                order.append(name)
    except Exception:  # noqa: BLE001 - a detector failure only loses the ordering hint
        order = []
    for name in ("cp932", "euc_jp"):
        if name not in order:
            order.append(name)
    return order
