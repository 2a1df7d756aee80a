"""Metadata quality by data.europa.eu's Metadata Quality Assessment (MQA): indicators and points.

The MQA reads DCAT-AP metadata; Renkei scores the CKAN-shaped ``package_show`` dict through the
same mapping its DCAT export uses (``renkei.web.jsonld``):

=====================  ==================================================================
MQA property           Renkei field
=====================  ==================================================================
dcat:keyword           ``tags``
dcat:theme             ``groups`` (Renkei's thematic groups) or a ``theme`` extra
dct:spatial            ``spatial`` extra (GeoJSON, as ckanext-spatial) that can be read
dct:temporal           ``temporal_start`` / ``temporal_end`` extras that can be read
dcat:Distribution      each resource
dcat:accessURL         resource ``url`` (every resource has one)
dcat:downloadURL       an uploaded file's download URL, or a ``download_url`` resource field
dct:format             resource ``format``; dcat:mediaType: resource ``mimetype``
dct:license            dataset ``license_id`` (CKAN's licence applies to every resource)
dct:accessRights       ``access_rights`` extra
dcat:contactPoint      ``maintainer`` / ``maintainer_email`` / ``author_email``
dct:publisher          the owning organization
dct:rights             ``rights`` extra or resource field
dcat:byteSize          resource ``size``
dct:issued/modified    ``issued`` / ``modified`` extras, else metadata_created / _modified
=====================  ==================================================================

**Repeated distributions.** The MQA scores distribution properties on each distribution and
aggregates them per dataset; Renkei gives a distribution indicator's points in proportion to
the share of resources that meet it (weight x met / resources), and each resource that fails
costs ``weight / resources`` points in its own finding. A dataset without resources gets none
of the distribution points.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from renkei.model.licenses import get_license
from renkei.quality import vocab
from renkei.quality.findings import Finding, Location, Score, Severity
from renkei.search.extent import bbox_of, parse_moment

MAX_POINTS = 405
METHOD = "https://data.europa.eu/mqa/methodology"

# (dimension, indicator) -> weight, exactly as the methodology gives them.
WEIGHTS: dict[tuple[str, str], int] = {
    ("findability", "keyword"): 30,
    ("findability", "theme"): 30,
    ("findability", "spatial"): 20,
    ("findability", "temporal"): 20,
    ("accessibility", "access_url_status"): 50,
    ("accessibility", "download_url"): 20,
    ("accessibility", "download_url_status"): 30,
    ("interoperability", "format"): 20,
    ("interoperability", "media_type"): 10,
    ("interoperability", "format_media_type_vocabulary"): 10,
    ("interoperability", "non_proprietary"): 20,
    ("interoperability", "machine_readable"): 20,
    ("interoperability", "dcat_ap_compliance"): 30,
    ("reusability", "license"): 20,
    ("reusability", "license_vocabulary"): 10,
    ("reusability", "access_rights"): 10,
    ("reusability", "access_rights_vocabulary"): 5,
    ("reusability", "contact_point"): 20,
    ("reusability", "publisher"): 10,
    ("contextuality", "rights"): 5,
    ("contextuality", "byte_size"): 5,
    ("contextuality", "date_issued"): 5,
    ("contextuality", "date_modified"): 5,
}
assert sum(WEIGHTS.values()) == MAX_POINTS

DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability", "contextuality")

# (field, English, Japanese) for each way the dataset's DCAT is not DCAT-AP.
DcatApCheck = Callable[[Mapping[str, Any]], list[tuple[str, str, str]]]

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def band(points: float) -> str:
    """The MQA rating: excellent 351-405, good 221-350, sufficient 121-220, bad 0-120.

    Shares of distributions make fractional points; a band starts at its published lower
    bound (350.5 is still good)."""
    if points >= 351:
        return "excellent"
    if points >= 221:
        return "good"
    if points >= 121:
        return "sufficient"
    return "bad"


@dataclass(frozen=True)
class Reach:
    """Whether a resource's access and download URLs answered; None when not checked."""

    access: bool | None = None
    download: bool | None = None
    note: str = ""


@dataclass
class MqaResult:
    score: Score
    dimensions: dict[str, dict[str, float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"dimensions": self.dimensions}


class _Tally:
    """Adds up points per indicator and writes the finding for every point lost."""

    def __init__(self) -> None:
        self.points: dict[tuple[str, str], float] = {key: 0.0 for key in WEIGHTS}
        self.findings: list[Finding] = []

    def award(self, key: tuple[str, str], points: float) -> None:
        self.points[key] += points

    def lose(
        self,
        key: tuple[str, str],
        lost: float,
        *,
        message: str,
        message_ja: str,
        fix: str,
        fix_ja: str,
        severity: Severity = Severity.warning,
        location: Location | None = None,
    ) -> None:
        self.findings.append(
            Finding(
                rule=f"mqa.{key[0]}.{key[1]}",
                severity=severity,
                location=location or Location(),
                message=message,
                message_ja=message_ja,
                fix=fix,
                fix_ja=fix_ja,
                points_lost=round(lost, 2),
            )
        )


def _extras(dataset: Mapping[str, Any]) -> dict[str, str]:
    return {e["key"]: e["value"] for e in dataset.get("extras") or [] if e.get("value")}


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def score_dataset(
    dataset: Mapping[str, Any],
    reach: Mapping[str, Reach] | None = None,
    dcat_ap: DcatApCheck | None = None,
) -> MqaResult:
    """The MQA score of a ``package_show`` dict. ``reach`` maps resource ids to what a link
    check (or the blob store) found; a resource missing from it was not checked and gets no
    points for answering (never awarded blindly). ``dcat_ap`` validates DCAT-AP compliance
    (the node passes ``renkei.quality.dcat_ap.DcatApValidator``: the SHACL shapes on the
    DCAT export); without one, the structural subset ``dcat_ap_violations`` decides."""
    reach = reach or {}
    extras = _extras(dataset)
    resources = list(dataset.get("resources") or [])
    t = _Tally()
    _findability(t, dataset, extras)
    _distributions(t, dataset, extras, resources, reach)
    _dataset_reusability(t, dataset, extras)
    _dcat_ap(t, dataset, extras, resources, dcat_ap)
    _dates(t, dataset, extras)

    dimensions: dict[str, dict[str, float]] = {}
    for (dim, indicator), weight in WEIGHTS.items():
        entry = dimensions.setdefault(dim, {"points": 0.0, "max_points": 0.0})
        entry["points"] = round(entry["points"] + t.points[(dim, indicator)], 2)
        entry["max_points"] += weight
    total = round(sum(t.points.values()), 2)
    score = Score(
        scorer="mqa", points=total, max_points=MAX_POINTS, band=band(total), findings=t.findings
    )
    return MqaResult(score=score, dimensions=dimensions)


def _findability(t: _Tally, dataset: Mapping[str, Any], extras: dict[str, str]) -> None:
    if dataset.get("tags"):
        t.award(("findability", "keyword"), 30)
    else:
        t.lose(
            ("findability", "keyword"),
            30,
            location=Location(field="tags"),
            message="No keywords (tags): the dataset is harder to find.",
            message_ja="キーワード（タグ）がありません。データセットが見つけにくくなります。",
            fix="Add a few tags naming the subject, e.g. 避難所, 防災.",
            fix_ja="内容を表すタグ（例: 避難所、防災）を追加してください。",
        )
    if dataset.get("groups") or _text(extras.get("theme")):
        t.award(("findability", "theme"), 30)
    else:
        t.lose(
            ("findability", "theme"),
            30,
            location=Location(field="groups"),
            message="No theme: the dataset is in no thematic group.",
            message_ja="テーマ（分類）がありません。どのグループにも属していません。",
            fix="Add the dataset to a group (its theme), or set a 'theme' extra.",
            fix_ja="データセットをグループ（テーマ）に追加するか、theme 項目を設定してください。",
        )
    spatial = extras.get("spatial")
    if bbox_of(spatial):
        t.award(("findability", "spatial"), 20)
    else:
        unreadable = _text(spatial)
        t.lose(
            ("findability", "spatial"),
            20,
            location=Location(field="spatial"),
            message=(
                "The spatial coverage cannot be read as GeoJSON."
                if unreadable
                else "No spatial coverage."
            ),
            message_ja=(
                "空間範囲（spatial）を GeoJSON として読めません。"
                if unreadable
                else "空間範囲（spatial）がありません。"
            ),
            fix="Set the 'spatial' extra to a GeoJSON geometry of the area the data covers.",
            fix_ja="spatial 項目に対象地域の GeoJSON ジオメトリを設定してください。",
        )
    starts = [extras.get("temporal_start"), extras.get("temporal_end")]
    if any(parse_moment(v) for v in starts):
        t.award(("findability", "temporal"), 20)
    else:
        unreadable = any(_text(v) for v in starts)
        t.lose(
            ("findability", "temporal"),
            20,
            location=Location(field="temporal_start"),
            message=(
                "The temporal coverage is not an ISO 8601 date."
                if unreadable
                else "No temporal coverage."
            ),
            message_ja=(
                "対象期間が ISO 8601 の日付ではありません。"
                if unreadable
                else "対象期間（temporal_start / temporal_end）がありません。"
            ),
            fix="Set 'temporal_start' (and 'temporal_end') to ISO 8601 dates, e.g. 2024-04-01.",
            fix_ja="temporal_start（と temporal_end）に日付（例: 2024-04-01）を設定してください。",
        )


def _download_url(resource: Mapping[str, Any]) -> str | None:
    if resource.get("url_type") == "upload":
        return str(resource.get("url") or "") or None
    value = resource.get("download_url")
    return value if _text(value) else None


def _distributions(
    t: _Tally,
    dataset: Mapping[str, Any],
    extras: dict[str, str],
    resources: list[Mapping[str, Any]],
    reach: Mapping[str, Reach],
) -> None:
    distribution_keys = [
        ("accessibility", "access_url_status"),
        ("accessibility", "download_url"),
        ("accessibility", "download_url_status"),
        ("interoperability", "format"),
        ("interoperability", "media_type"),
        ("interoperability", "format_media_type_vocabulary"),
        ("interoperability", "non_proprietary"),
        ("interoperability", "machine_readable"),
        ("contextuality", "rights"),
        ("contextuality", "byte_size"),
    ]
    if not resources:
        for key in distribution_keys:
            t.lose(
                key,
                WEIGHTS[key],
                location=Location(field="resources"),
                message="The dataset has no resources (distributions).",
                message_ja="リソース（配布）がありません。",
                fix="Add the data as a resource: upload a file or link to it.",
                fix_ja="ファイルをアップロードするかリンクを登録して、リソースを追加してください。",
            )
        return
    share = 1 / len(resources)
    for res in resources:
        _one_distribution(t, res, extras, reach.get(str(res.get("id"))), share)


def _one_distribution(
    t: _Tally,
    res: Mapping[str, Any],
    extras: dict[str, str],
    seen: Reach | None,
    share: float,
) -> None:
    loc = Location(resource_id=str(res.get("id")), field=None)

    def check(
        key: tuple[str, str],
        ok: bool,
        message: str,
        message_ja: str,
        fix: str,
        fix_ja: str,
        severity: Severity = Severity.warning,
        field: str | None = None,
    ) -> None:
        if ok:
            t.award(key, WEIGHTS[key] * share)
        else:
            t.lose(
                key,
                WEIGHTS[key] * share,
                message=message,
                message_ja=message_ja,
                fix=fix,
                fix_ja=fix_ja,
                severity=severity,
                location=loc.model_copy(update={"field": field}),
            )

    name = res.get("name") or res.get("id")
    not_checked = seen is None or seen.access is None
    note = f" ({seen.note})" if seen and seen.note else ""
    check(
        ("accessibility", "access_url_status"),
        bool(seen and seen.access),
        (
            f"Resource {name}: its URL was not checked yet."
            if not_checked
            else f"Resource {name}: its URL does not answer{note}."
        ),
        (
            f"リソース {name}: URL はまだ確認されていません。"
            if not_checked
            else f"リソース {name}: URL にアクセスできません{note}。"
        ),
        (
            "Run a link check: renkei quality scan --links."
            if not_checked
            else "Fix or replace the URL, or upload the file."
        ),
        (
            "リンク確認を実行してください（renkei quality scan --links）。"
            if not_checked
            else "URL を修正するか、ファイルをアップロードしてください。"
        ),
        Severity.info if not_checked else Severity.error,
        "url",
    )
    download = _download_url(res)
    check(
        ("accessibility", "download_url"),
        download is not None,
        f"Resource {name}: no download URL (the URL may be a landing page).",
        f"リソース {name}: ダウンロード URL がありません（URL がページの可能性があります）。",
        "Upload the file, or give the direct file link in 'download_url'.",
        "ファイルをアップロードするか、download_url にファイルへの直接リンクを設定してください。",
        field="download_url",
    )
    if download is None:
        # No download URL: the "answers" points are lost with the one above; say it once.
        t.lose(
            ("accessibility", "download_url_status"),
            WEIGHTS[("accessibility", "download_url_status")] * share,
            message=f"Resource {name}: no download URL to check.",
            message_ja=f"リソース {name}: 確認するダウンロード URL がありません。",
            fix="Give a download URL (see above).",
            fix_ja="ダウンロード URL を設定してください（上記参照）。",
            location=loc.model_copy(update={"field": "download_url"}),
        )
    else:
        unchecked = seen is None or seen.download is None
        check(
            ("accessibility", "download_url_status"),
            bool(seen and seen.download),
            (
                f"Resource {name}: the download URL was not checked yet."
                if unchecked
                else f"Resource {name}: the download URL does not answer{note}."
            ),
            (
                f"リソース {name}: ダウンロード URL はまだ確認されていません。"
                if unchecked
                else f"リソース {name}: ダウンロード URL にアクセスできません{note}。"
            ),
            (
                "Run a link check: renkei quality scan --links."
                if unchecked
                else "Fix the download URL or upload the file again."
            ),
            (
                "リンク確認を実行してください（renkei quality scan --links）。"
                if unchecked
                else "ダウンロード URL を修正するか、ファイルを再アップロードしてください。"
            ),
            Severity.info if unchecked else Severity.error,
            "download_url",
        )

    fmt = res.get("format")
    ft = vocab.by_format(fmt)
    check(
        ("interoperability", "format"),
        _text(fmt),
        f"Resource {name}: no format.",
        f"リソース {name}: 形式（format）がありません。",
        "Set the format, e.g. CSV.",
        "形式（例: CSV）を設定してください。",
        field="format",
    )
    mimetype = res.get("mimetype")
    check(
        ("interoperability", "media_type"),
        _text(mimetype),
        f"Resource {name}: no media type.",
        f"リソース {name}: メディアタイプ（mimetype）がありません。",
        "Set the IANA media type, e.g. text/csv.",
        "IANA のメディアタイプ（例: text/csv）を設定してください。",
        field="mimetype",
    )
    in_vocab = ft is not None and (not _text(mimetype) or vocab.is_known_media_type(mimetype))
    check(
        ("interoperability", "format_media_type_vocabulary"),
        in_vocab,
        f"Resource {name}: format '{fmt or ''}' / media type '{mimetype or ''}' is not from the "
        "EU file-type and IANA vocabularies.",
        f"リソース {name}: 形式「{fmt or ''}」/メディアタイプ「{mimetype or ''}」が"
        "EU ファイル形式・IANA の語彙にありません。",
        "Use a known format code (CSV, JSON, XLSX, ...) and its IANA media type.",
        "既知の形式コード（CSV、JSON、XLSX など）と対応するメディアタイプを使ってください。",
        field="format",
    )
    check(
        ("interoperability", "non_proprietary"),
        ft is not None and ft.non_proprietary,
        f"Resource {name}: format '{fmt or ''}' is not a known non-proprietary format.",
        f"リソース {name}: 形式「{fmt or ''}」は非独占的（オープン）な形式ではありません。",
        "Also publish the data in an open format such as CSV or ODS.",
        "CSV や ODS などのオープンな形式でも公開してください。",
        field="format",
    )
    check(
        ("interoperability", "machine_readable"),
        ft is not None and ft.machine_readable,
        f"Resource {name}: format '{fmt or ''}' is not machine-readable.",
        f"リソース {name}: 形式「{fmt or ''}」は機械判読可能ではありません。",
        "Publish the data as CSV, JSON or another machine-readable format, not PDF or images.",
        "PDF や画像ではなく、CSV や JSON などの機械判読可能な形式で公開してください。",
        field="format",
    )
    check(
        ("contextuality", "rights"),
        _text(res.get("rights")) or _text(extras.get("rights")),
        f"Resource {name}: no rights statement.",
        f"リソース {name}: 権利に関する記述（rights）がありません。",
        "State the rights (e.g. copyright holder) in a 'rights' extra.",
        "rights 項目に権利者などの権利情報を記載してください。",
        field="rights",
    )
    size = res.get("size")
    check(
        ("contextuality", "byte_size"),
        isinstance(size, int) and size >= 0,
        f"Resource {name}: no byte size.",
        f"リソース {name}: ファイルサイズ（size）がありません。",
        "Give the file size in bytes (uploads get it automatically).",
        "ファイルサイズ（バイト）を設定してください（アップロードすると自動で設定されます）。",
        field="size",
    )


def _dataset_reusability(t: _Tally, dataset: Mapping[str, Any], extras: dict[str, str]) -> None:
    license_id = dataset.get("license_id")
    lic = get_license(license_id)
    if _text(license_id):
        t.award(("reusability", "license"), 20)
    else:
        t.lose(
            ("reusability", "license"),
            20,
            location=Location(field="license_id"),
            message="No licence: reusers cannot know what they may do.",
            message_ja="ライセンスがありません。利用者は何ができるか分かりません。",
            fix="Choose a licence, e.g. 公共データ利用規約 (pdl-1.0) or CC BY 4.0.",
            fix_ja="公共データ利用規約（pdl-1.0）や CC BY 4.0 などのライセンスを選んでください。",
        )
    if lic is not None and lic.url:
        t.award(("reusability", "license_vocabulary"), 10)
    else:
        t.lose(
            ("reusability", "license_vocabulary"),
            10,
            location=Location(field="license_id"),
            message="The licence is not one of the known licences with a canonical URL.",
            message_ja="ライセンスが、正規の URL を持つ既知のライセンスではありません。",
            fix="Pick the licence from the licence list (license_list).",
            fix_ja="ライセンス一覧（license_list）から選んでください。",
        )
    rights = extras.get("access_rights")
    if _text(rights):
        t.award(("reusability", "access_rights"), 10)
    else:
        t.lose(
            ("reusability", "access_rights"),
            10,
            location=Location(field="access_rights"),
            message="No access rights statement.",
            message_ja="アクセス権（access_rights）がありません。",
            fix="Set the 'access_rights' extra to PUBLIC (公開), RESTRICTED or NON_PUBLIC.",
            fix_ja="access_rights に PUBLIC（公開）、RESTRICTED、NON_PUBLIC を設定してください。",
        )
    if vocab.access_right(rights):
        t.award(("reusability", "access_rights_vocabulary"), 5)
    else:
        t.lose(
            ("reusability", "access_rights_vocabulary"),
            5,
            location=Location(field="access_rights"),
            message="The access rights are not from the EU access-right vocabulary.",
            message_ja="アクセス権が EU のアクセス権語彙の値ではありません。",
            fix="Use PUBLIC, RESTRICTED or NON_PUBLIC (or their EU URIs).",
            fix_ja="PUBLIC、RESTRICTED、NON_PUBLIC（またはその EU URI）を使ってください。",
        )
    has_contact = any(
        _text(dataset.get(k)) for k in ("maintainer", "maintainer_email", "author_email")
    )
    if has_contact:
        t.award(("reusability", "contact_point"), 20)
    else:
        t.lose(
            ("reusability", "contact_point"),
            20,
            location=Location(field="maintainer_email"),
            message="No contact point.",
            message_ja="問い合わせ先がありません。",
            fix="Give a maintainer and a maintainer e-mail address.",
            fix_ja="管理者名と管理者のメールアドレスを設定してください。",
        )
    if dataset.get("organization") or dataset.get("owner_org"):
        t.award(("reusability", "publisher"), 10)
    else:
        t.lose(
            ("reusability", "publisher"),
            10,
            location=Location(field="owner_org"),
            message="No publisher: the dataset belongs to no organization.",
            message_ja="公開者がありません。どの組織にも属していません。",
            fix="Move the dataset into the publishing organization.",
            fix_ja="データセットを公開する組織に所属させてください。",
        )


def _dates(t: _Tally, dataset: Mapping[str, Any], extras: dict[str, str]) -> None:
    for key, extra, fallback, label_ja in (
        (("contextuality", "date_issued"), "issued", "metadata_created", "公開日"),
        (("contextuality", "date_modified"), "modified", "metadata_modified", "更新日"),
    ):
        value = extras.get(extra) or dataset.get(fallback)
        if parse_moment(value):
            t.award(key, 5)
        else:
            t.lose(
                key,
                5,
                location=Location(field=extra),
                message=f"No readable {extra} date.",
                message_ja=f"{label_ja}（{extra}）が読めません。",
                fix=f"Set the '{extra}' extra to an ISO 8601 date.",
                fix_ja=f"{extra} 項目に ISO 8601 の日付を設定してください。",
            )


def dcat_ap_violations(
    dataset: Mapping[str, Any], extras: dict[str, str], resources: list[Mapping[str, Any]]
) -> list[tuple[str, str, str]]:
    """What keeps the dataset's DCAT export from DCAT-AP 3.0.1: (field, English, Japanese).

    A structural subset of the DCAT-AP 3.0.1 SHACL shapes, not a SHACL run: the mandatory
    properties (dataset title and description; every distribution's access URL) and the
    value ranges of the properties Renkei exports (dates are dates, byte size a non-negative
    integer, the contact e-mail an address, the licence an IRI, spatial and temporal readable).
    """
    problems: list[tuple[str, str, str]] = []
    if not _text(dataset.get("title")):
        problems.append(("title", "dct:title is missing", "タイトル（dct:title）がありません"))
    if not _text(dataset.get("notes")) and not any(
        _text(v) for v in (dataset.get("notes_translated") or {}).values()
    ):
        problems.append(
            ("notes", "dct:description is missing", "説明（dct:description）がありません")
        )
    for res in resources:
        rid = res.get("id")
        if not _text(res.get("url")):
            problems.append(
                (
                    f"resources[{rid}].url",
                    "a distribution has no dcat:accessURL",
                    "アクセス URL（dcat:accessURL）のない配布があります",
                )
            )
        size = res.get("size")
        if size is not None and not (isinstance(size, int) and size >= 0):
            problems.append(
                (
                    f"resources[{rid}].size",
                    "dcat:byteSize is not a non-negative integer",
                    "dcat:byteSize が 0 以上の整数ではありません",
                )
            )
    email = dataset.get("maintainer_email")
    if _text(email) and not EMAIL_RE.match(str(email)):
        problems.append(
            (
                "maintainer_email",
                "the contact e-mail (vcard:hasEmail) is not an address",
                "問い合わせ先のメールアドレスの形式が正しくありません",
            )
        )
    lic = get_license(dataset.get("license_id"))
    if _text(dataset.get("license_id")) and (lic is None or not lic.url):
        problems.append(
            (
                "license_id",
                "dct:license is not an IRI",
                "ライセンス（dct:license）が IRI ではありません",
            )
        )
    if _text(extras.get("spatial")) and not bbox_of(extras.get("spatial")):
        problems.append(
            ("spatial", "dct:spatial cannot be read", "空間範囲（dct:spatial）が読めません")
        )
    for key in ("temporal_start", "temporal_end", "issued", "modified"):
        if _text(extras.get(key)) and not parse_moment(extras.get(key)):
            problems.append((key, f"{key} is not a date", f"{key} が日付ではありません"))
    return problems


def _dcat_ap(
    t: _Tally,
    dataset: Mapping[str, Any],
    extras: dict[str, str],
    resources: list[Mapping[str, Any]],
    check: DcatApCheck | None,
) -> None:
    key = ("interoperability", "dcat_ap_compliance")
    problems = check(dataset) if check else dcat_ap_violations(dataset, extras, resources)
    if not problems:
        t.award(key, 30)
        return
    # All or nothing, as the MQA: one finding per violation, the points on the first.
    for index, (fld, en, ja) in enumerate(problems):
        t.lose(
            key,
            30 if index == 0 else 0,
            severity=Severity.error,
            location=Location(field=fld),
            message=f"Not DCAT-AP 3.0.1 compliant: {en}.",
            message_ja=f"DCAT-AP 3.0.1 に適合していません: {ja}。",
            fix="Fill in or correct the field named.",
            fix_ja="該当する項目を入力または修正してください。",
        )
