"""A dataset as JSON-LD for search engines and harvesters: schema.org ``Dataset`` and DCAT.

Both are built from the ``package_show`` dict. The DCAT document carries its ``@context``
inline (no remote context to fetch), so it reads offline with any JSON-LD processor.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from renkei.model.licenses import get_license
from renkei.quality import vocab
from renkei.search.extent import bbox_of, temporal_of
from renkei.web.markdown import plain_text

DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "locn": "http://www.w3.org/ns/locn#",
    "gsp": "http://www.opengis.net/ont/geosparql#",
    "spdx": "http://spdx.org/rdf/terms#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}
IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"


def script_json(data: Any) -> Markup:
    """JSON safe inside ``<script>``: ``</script>``, ``<!--`` and ``&`` can't end or bend it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    # U+2028/2029 are line ends in old JavaScript parsers.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)  # noqa: S704 - every character that could leave the element is escaped


def _texts(
    translated: dict[str, Any] | None, fallback: str | None, default_lang: str
) -> dict[str, str]:
    """``{lang: text}`` with the default-language value filled in from ``title``/``notes``."""
    texts = {k: v for k, v in (translated or {}).items() if isinstance(v, str) and v.strip()}
    if fallback and default_lang not in texts:
        texts[default_lang] = fallback
    return texts


def _extras(dataset: dict[str, Any]) -> dict[str, str]:
    return {e["key"]: e["value"] for e in dataset.get("extras") or []}


def schema_org(
    dataset: dict[str, Any],
    *,
    page_url: str,
    site_url: str,
    site_title: str,
    lang: str,
    default_lang: str,
) -> dict[str, Any]:
    """schema.org ``Dataset`` in the page's language (what dataset search engines read)."""
    titles = _texts(dataset.get("title_translated"), dataset.get("title"), default_lang)
    notes = _texts(dataset.get("notes_translated"), dataset.get("notes"), default_lang)
    title = titles.get(lang) or titles.get(default_lang) or dataset["name"]
    description = plain_text(notes.get(lang) or notes.get(default_lang) or "", limit=5000)
    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": page_url,
        "url": page_url,
        "name": title,
        "description": description or title,
        "identifier": dataset["id"],
        "inLanguage": lang,
        "keywords": [t["name"] for t in dataset.get("tags") or []],
        "isAccessibleForFree": True,
        "dateCreated": dataset.get("metadata_created"),
        "dateModified": dataset.get("metadata_modified"),
        "includedInDataCatalog": {"@type": "DataCatalog", "name": site_title, "url": site_url},
        "distribution": [
            _drop_empty(
                {
                    "@type": "DataDownload",
                    "name": res.get("name"),
                    "description": res.get("description"),
                    "encodingFormat": res.get("mimetype") or res.get("format"),
                    "contentUrl": res.get("url"),
                    "contentSize": f"{res['size']} B" if res.get("size") else None,
                }
            )
            for res in dataset.get("resources") or []
            if res.get("url")
        ],
    }
    if dataset.get("license_url") or dataset.get("license_id"):
        doc["license"] = dataset.get("license_url") or dataset.get("license_id")
    if dataset.get("version"):
        doc["version"] = dataset["version"]
    if dataset.get("url"):
        doc["sameAs"] = dataset["url"]
    org = dataset.get("organization")
    if org:
        org_titles = _texts(org.get("title_translated"), org.get("title"), default_lang)
        doc["publisher"] = doc["creator"] = {
            "@type": "Organization",
            "name": org_titles.get(lang) or org.get("title") or org["name"],
            "url": f"{site_url}/organization/{org['name']}",
        }
    extras = _extras(dataset)
    bbox = bbox_of(extras.get("spatial"))
    if bbox:
        west, south, east, north = bbox
        doc["spatialCoverage"] = {
            "@type": "Place",
            "geo": {"@type": "GeoShape", "box": f"{south} {west} {north} {east}"},
        }
    start, end = temporal_of(extras)
    if start or end:
        doc["temporalCoverage"] = (
            f"{start.date().isoformat() if start else '..'}/"
            f"{end.date().isoformat() if end else '..'}"
        )
    return _drop_empty(doc)


def dcat(
    dataset: dict[str, Any], *, page_url: str, site_url: str, default_lang: str
) -> dict[str, Any]:
    """DCAT (as DCAT-AP uses it): every language of title and description, distributions."""
    doc: dict[str, Any] = {
        "@context": DCAT_CONTEXT,
        "@id": page_url,
        "@type": "dcat:Dataset",
        "dct:identifier": dataset["id"],
        "dct:title": _lang_values(
            _texts(dataset.get("title_translated"), dataset.get("title"), default_lang)
        ),
        "dct:description": _lang_values(
            _texts(dataset.get("notes_translated"), dataset.get("notes"), default_lang)
        ),
        "dcat:keyword": [t["name"] for t in dataset.get("tags") or []],
        "dct:issued": _datetime(dataset.get("metadata_created")),
        "dct:modified": _datetime(dataset.get("metadata_modified")),
        "dcat:theme": [
            # Groups are the catalog's themes: concepts, as DCAT-AP's dcat:theme range requires.
            {
                "@id": f"{site_url}/group/{g['name']}",
                "@type": "skos:Concept",
                "skos:prefLabel": {
                    "@value": g.get("title") or g["name"],
                    "@language": default_lang,
                },
            }
            for g in dataset.get("groups") or []
        ],
        "dcat:distribution": [
            _distribution(res, page_url) for res in dataset.get("resources") or []
        ],
    }
    if dataset.get("url"):
        doc["dcat:landingPage"] = {"@id": dataset["url"], "@type": "foaf:Document"}
    if dataset.get("version"):
        doc["dcat:version"] = dataset["version"]
    lic = get_license(dataset.get("license_id"))
    if lic and lic.url:
        doc["dct:license"] = {"@id": lic.url}
    org = dataset.get("organization")
    if org:
        doc["dct:publisher"] = {
            "@id": f"{site_url}/organization/{org['name']}",
            "@type": ["foaf:Agent", "foaf:Organization"],
            "foaf:name": _lang_values(
                _texts(org.get("title_translated"), org.get("title"), default_lang)
            ),
        }
    if dataset.get("maintainer") or dataset.get("maintainer_email"):
        contact: dict[str, Any] = {"@type": "vcard:Kind"}
        if dataset.get("maintainer"):
            contact["vcard:fn"] = dataset["maintainer"]
        if dataset.get("maintainer_email"):
            contact["vcard:hasEmail"] = {"@id": f"mailto:{dataset['maintainer_email']}"}
        doc["dcat:contactPoint"] = contact
    extras = _extras(dataset)
    bbox = bbox_of(extras.get("spatial"))
    if bbox:
        west, south, east, north = bbox
        wkt = (
            f"POLYGON(({west} {south},{east} {south},{east} {north},{west} {north},{west} {south}))"
        )
        doc["dct:spatial"] = {
            "@type": "dct:Location",
            "dcat:bbox": {"@value": wkt, "@type": "gsp:wktLiteral"},
        }
    start, end = temporal_of(extras)
    if start or end:
        period: dict[str, Any] = {"@type": "dct:PeriodOfTime"}
        if start:
            period["dcat:startDate"] = _datetime(start.isoformat())
        if end:
            period["dcat:endDate"] = _datetime(end.isoformat())
        doc["dct:temporal"] = period
    return _drop_empty(doc)


def _distribution(res: dict[str, Any], page_url: str) -> dict[str, Any]:
    dist: dict[str, Any] = {
        "@id": f"{page_url}#resource-{res['id']}",
        "@type": "dcat:Distribution",
        "dct:title": res.get("name"),
        "dct:description": res.get("description"),
        "dct:format": _format(res.get("format")),
        "dcat:mediaType": _media_type(res.get("mimetype")),
        "dct:modified": _datetime(res.get("last_modified") or res.get("metadata_modified")),
    }
    if res.get("url"):
        dist["dcat:accessURL"] = {"@id": res["url"]}
        if res.get("url_type") == "upload":
            dist["dcat:downloadURL"] = {"@id": res["url"]}
    if res.get("size") is not None:
        dist["dcat:byteSize"] = {"@value": str(res["size"]), "@type": "xsd:nonNegativeInteger"}
    if res.get("hash"):
        dist["spdx:checksum"] = {
            "@type": "spdx:Checksum",
            "spdx:algorithm": {"@id": "http://spdx.org/rdf/terms#checksumAlgorithm_sha256"},
            "spdx:checksumValue": {"@value": res["hash"], "@type": "xsd:hexBinary"},
        }
    return _drop_empty(dist)


def _format(label: str | None) -> Any:
    """A known format as its EU file-type IRI (what DCAT-AP's dct:format takes); any other
    label stays a literal (and DCAT-AP validation says so)."""
    file_type = vocab.by_format(label)
    if file_type is None:
        return label
    return {"@id": file_type.uri, "@type": "dct:MediaTypeOrExtent"}


def _media_type(value: str | None) -> Any:
    """A media type the format table knows, as its IANA IRI; any other value a literal."""
    if not value or vocab.by_media_type(value) is None:
        return value
    essence = value.split(";", 1)[0].strip().lower()
    return {"@id": f"{IANA_MEDIA_TYPES}{essence}", "@type": "dct:MediaType"}


def _lang_values(texts: dict[str, str]) -> list[dict[str, str]]:
    return [{"@value": text, "@language": code} for code, text in sorted(texts.items())]


def _datetime(value: str | None) -> dict[str, str] | None:
    return {"@value": value, "@type": "xsd:dateTime"} if value else None


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, "", [], {})}
