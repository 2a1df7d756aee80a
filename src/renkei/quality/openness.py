"""5-star open data (Tim Berners-Lee's scheme) per resource and per dataset, with reasons.

The approach is ckanext-qa's: the format is taken from the **content** first (the first bytes of
the file: magic numbers, then the text's shape), then from the URL's **extension**, then from
the **declared format**; its stars come from the format table (``data/formats.json``):

  0  not available (broken link) or not under an open licence
  1  on the web under an open licence, any format (PDF, image, text, unknown)
  2  structured but proprietary (XLS, XLSX, SHP)
  3  structured and non-proprietary (CSV, JSON, XML, ODS, GeoJSON)
  4  RDF / JSON-LD: things identified by URIs
  5  RDF that links to other people's data (IRIs on hosts other than its own and than the
     common vocabularies)

A dataset has the stars of its best resource, as ckanext-qa gives them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from renkei.model.licenses import get_license
from renkei.quality import vocab
from renkei.quality.findings import Finding, Location, Score, Severity

MAX_STARS = 5
RDF_TYPES = {"RDF_XML", "RDF_TURTLE", "RDF_N_TRIPLES", "RDF_N_QUADS", "N3", "JSON_LD"}
# Hosts of vocabularies: IRIs there are terms used, not data linked to.
VOCABULARY_HOSTS = {
    "www.w3.org",
    "w3.org",
    "purl.org",
    "xmlns.com",
    "schema.org",
    "www.opengis.net",
    "publications.europa.eu",
    "spdx.org",
    "creativecommons.org",
    "json-ld.org",
}
IRI_RE = re.compile(rb"https?://([A-Za-z0-9.-]+)")


@dataclass(frozen=True)
class Sniffed:
    """What the first bytes show: a file type id, and whether RDF in it links elsewhere."""

    type_id: str | None
    links_out: bool = False


def _decode(head: bytes) -> str | None:
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="ignore")
    if b"\x00" in head[:1024]:
        return None  # binary
    for codec in ("utf-8", "cp932", "euc-jp"):
        try:
            # A sample may end mid-character: drop at most 3 trailing bytes.
            return head.decode(codec) if len(head) < 4 else _decode_cut(head, codec)
        except UnicodeDecodeError:
            continue
    return None


def _decode_cut(head: bytes, codec: str) -> str:
    for cut in range(4):
        try:
            return head[: len(head) - cut].decode(codec)
        except UnicodeDecodeError:
            if cut == 3:
                raise
    raise UnicodeDecodeError(codec, head, 0, 1, "undecodable")


def _looks_tabular(text: str, delimiter: str) -> bool:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if len(lines) < 2:
        return False
    counts = [line.count(delimiter) for line in lines[:-1]]  # the last may be cut
    return all(c >= 1 for c in counts) and len(set(counts)) <= max(2, len(counts) // 3)


def sniff(head: bytes, own_host: str | None = None) -> Sniffed:
    """The file type the content shows, or ``Sniffed(None)`` when the bytes don't tell."""
    if not head:
        return Sniffed(None)
    if head.startswith(b"%PDF"):
        return Sniffed("PDF")
    if head.startswith(b"PK\x03\x04"):
        if b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet" in head:
            return Sniffed("ODS")
        if b"mimetypeapplication/vnd.oasis.opendocument.text" in head:
            return Sniffed("ODT")
        for marker, type_id in ((b"xl/", "XLSX"), (b"word/", "DOCX"), (b"ppt/", "PPTX")):
            if marker in head:
                return Sniffed(type_id)
        return Sniffed("ZIP")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        if "Workbook".encode("utf-16-le") in head or "Book".encode("utf-16-le") in head:
            return Sniffed("XLS")
        if "WordDocument".encode("utf-16-le") in head:
            return Sniffed("DOC")
        return Sniffed(None)
    for magic, type_id in (
        (b"\x89PNG", "PNG"),
        (b"\xff\xd8\xff", "JPEG"),
        (b"GIF8", "GIF"),
        (b"II*\x00", "TIFF"),
        (b"MM\x00*", "TIFF"),
    ):
        if head.startswith(magic):
            return Sniffed(type_id)
    text = _decode(head)
    if text is None:
        return Sniffed(None)
    type_id = _text_type(text.lstrip())
    links_out = type_id in RDF_TYPES and _links_out(head, own_host)
    return Sniffed(type_id, links_out)


def _text_type(text: str) -> str | None:
    lower = text[:4096].casefold()
    if lower.startswith("<"):
        if "<rdf:rdf" in lower:
            return "RDF_XML"
        if "<html" in lower or lower.startswith("<!doctype html"):
            return "HTML"
        if "<kml" in lower:
            return "KML"
        if "<gml:" in lower or "featurecollection" in lower and "gml" in lower:
            return "GML"
        if lower.startswith("<?xml") or re.match(r"<[a-z_][\w:.-]*[\s>/]", lower):
            return "XML"
    if lower.startswith(("{", "[")):
        if '"@context"' in lower:
            return "JSON_LD"
        if '"featurecollection"' in lower or '"type": "feature"' in lower:
            return "GEOJSON"
        return "JSON"
    if re.match(r"(@prefix|@base|prefix\s|base\s)", lower):
        return "RDF_TURTLE"
    if re.match(r"<[^>\s]+>\s+<[^>\s]+>\s+", text):
        return "RDF_N_TRIPLES"
    if _looks_tabular(text, "\t"):
        return "TSV"
    if _looks_tabular(text, ","):
        return "CSV"
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text[:4096])
    if text and printable / min(len(text), 4096) > 0.95:
        return "TXT"
    return None


def _links_out(head: bytes, own_host: str | None) -> bool:
    own = (own_host or "").casefold()
    for match in IRI_RE.finditer(head):
        host = match.group(1).decode("ascii", "ignore").casefold().rstrip(".")
        if host and host != own and host not in VOCABULARY_HOSTS:
            return True
    return False


def _finding(
    rule: str, severity: Severity, rid: str, lost: float, en: str, ja: str, fix: str, fix_ja: str
) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        location=Location(resource_id=rid),
        message=en,
        message_ja=ja,
        fix=fix,
        fix_ja=fix_ja,
        points_lost=lost,
    )


def resource_openness(
    resource: Mapping[str, Any],
    license_id: str | None,
    *,
    available: bool | None,
    head: bytes | None = None,
) -> Score:
    """The stars of one resource. ``available``: did its URL (or its uploaded file) answer;
    None when not checked (the stars are then given as if it did, and a finding says so).
    ``head``: the first bytes of the content, when read."""
    rid = str(resource.get("id"))
    name = resource.get("name") or rid
    findings: list[Finding] = []

    def result(stars: int) -> Score:
        return Score(
            scorer="openness",
            points=stars,
            max_points=MAX_STARS,
            band=f"{stars}-star",
            findings=findings,
        )

    if available is False:
        findings.append(
            _finding(
                "openness.unavailable", Severity.error, rid, MAX_STARS,
                f"Resource {name}: 0 stars: the data cannot be fetched.",
                f"リソース {name}: 0 つ星: データを取得できません。",
                "Fix the link or upload the file.",
                "リンクを修正するか、ファイルをアップロードしてください。",
            )
        )  # fmt: skip
        return result(0)
    lic = get_license(license_id)
    if lic is None or not lic.is_okd_compliant:
        why = "no licence" if not license_id else f"the licence '{license_id}' is not open"
        why_ja = (
            "ライセンスがありません"
            if not license_id
            else f"ライセンス「{license_id}」はオープンではありません"
        )
        findings.append(
            _finding(
                "openness.licence", Severity.error, rid, MAX_STARS,
                f"Resource {name}: 0 stars: {why}.",
                f"リソース {name}: 0 つ星: {why_ja}。",
                "Publish under an open licence (公共データ利用規約, CC BY 4.0, CC0, ODbL).",
                "オープンなライセンス（公共データ利用規約、CC BY 4.0 など）で公開してください。",
            )
        )  # fmt: skip
        return result(0)
    if available is None:
        findings.append(
            _finding(
                "openness.unchecked", Severity.info, rid, 0,
                f"Resource {name}: the link was not checked; the stars assume it answers.",
                f"リソース {name}: リンクは未確認です。取得できる前提で評価しています。",
                "Run a link check: renkei quality scan --links.",
                "リンク確認を実行してください（renkei quality scan --links）。",
            )
        )  # fmt: skip

    own_host = urlsplit(str(resource.get("url") or "")).hostname
    sniffed = sniff(head or b"", own_host)
    ft, source = None, None
    if sniffed.type_id:
        ft, source = vocab.by_format(sniffed.type_id), "content"
    if ft is None and resource.get("url_type") != "upload":
        ft, source = vocab.by_url(str(resource.get("url") or "")), "extension"
    if ft is None:
        ft, source = vocab.by_format(resource.get("format")), "declared format"
    if ft is None:
        findings.append(
            _finding(
                "openness.format-unknown", Severity.warning, rid, MAX_STARS - 1,
                f"Resource {name}: 1 star: the format could not be determined.",
                f"リソース {name}: 1 つ星: 形式を判別できませんでした。",
                "Declare the format, and publish in CSV, JSON or RDF.",
                "形式を登録し、CSV・JSON・RDF などで公開してください。",
            )
        )  # fmt: skip
        return result(1)
    stars = ft.stars
    if ft.id in RDF_TYPES and sniffed.links_out:
        stars = 5
    if stars < MAX_STARS:
        advice = {
            1: (
                "not structured data",
                "構造化されたデータではありません",
                "Publish the table as CSV (3 stars) or RDF (4-5 stars).",
                "表を CSV（3 つ星）や RDF（4〜5 つ星）で公開してください。",
            ),
            2: (
                "structured but in a proprietary format",
                "構造化されていますが独自形式です",
                "Also publish it as CSV or ODS (3 stars).",
                "CSV や ODS（3 つ星）でも公開してください。",
            ),
            3: (
                "open format, but things are not identified by URIs",
                "オープンな形式ですが、URI で識別されていません",
                "Publish RDF or JSON-LD with URIs for things (4 stars).",
                "URI を用いた RDF や JSON-LD で公開してください（4 つ星）。",
            ),
            4: (
                "linked data, but with no links to other data",
                "Linked Data ですが、他のデータへのリンクがありません",
                "Link to other data (e.g. municipality or facility URIs) for 5 stars.",
                "他のデータ（自治体や施設の URI など）へリンクすると 5 つ星になります。",
            ),
        }[stars]
        findings.append(
            _finding(
                f"openness.{stars}-star", Severity.info, rid, MAX_STARS - stars,
                f"Resource {name}: {_stars_en(stars)} ({ft.id}, from the {source}): {advice[0]}.",
                f"リソース {name}: {stars} つ星（{ft.id}、{_SOURCE_JA[source]}で判定）:"
                f" {advice[1]}。",
                advice[2],
                advice[3],
            )
        )  # fmt: skip
    declared = vocab.by_format(resource.get("format"))
    if source == "content" and declared is not None and declared.id != ft.id:
        findings.append(
            _finding(
                "openness.format-mismatch", Severity.warning, rid, 0,
                f"Resource {name}: declared as {declared.id} but the content is {ft.id}.",
                f"リソース {name}: 登録形式は {declared.id} ですが、内容は {ft.id} です。",
                f"Correct the declared format to {ft.id}.",
                f"登録形式を {ft.id} に修正してください。",
            )
        )  # fmt: skip
    return result(stars)


def _stars_en(stars: int) -> str:
    return "1 star" if stars == 1 else f"{stars} stars"


_SOURCE_JA = {"content": "内容", "extension": "拡張子", "declared format": "登録された形式"}


def dataset_openness(resource_scores: list[Score]) -> Score:
    """A dataset's stars are its best resource's (ckanext-qa); the findings are all of them."""
    stars = max((int(s.points) for s in resource_scores), default=0)
    findings = [f for s in resource_scores for f in s.findings]
    if not resource_scores:
        findings.append(
            Finding(
                rule="openness.no-resources",
                severity=Severity.warning,
                location=Location(field="resources"),
                message="0 stars: the dataset has no resources.",
                message_ja="0 つ星: リソースがありません。",
                fix="Add the data as a resource.",
                fix_ja="データをリソースとして追加してください。",
                points_lost=MAX_STARS,
            )
        )
    return Score(
        scorer="openness",
        points=stars,
        max_points=MAX_STARS,
        band=f"{stars}-star",
        findings=findings,
    )
