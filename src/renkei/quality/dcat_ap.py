"""DCAT-AP 3.0.1 compliance of a dataset's DCAT export, by the official SHACL shapes.

The MQA gives its 30 "DCAT-AP compliance" points only to metadata that passes the DCAT-AP
shapes. Renkei validates exactly what it publishes — the DCAT JSON-LD of the dataset page
(``renkei.web.jsonld.dcat``) — with pySHACL against the shipped ``shapes.ttl`` (mandatory and
recommended properties, cardinalities) and ``range.ttl`` (classes and node kinds of values).
Each result of severity ``sh:Violation`` is one violation; warnings and infos of the shapes do
not cost points. About 50 ms per dataset here.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from renkei.web.jsonld import dcat

Violation = tuple[str, str, str]  # field, English, Japanese

_PREFIXES = {
    "http://www.w3.org/ns/dcat#": "dcat:",
    "http://purl.org/dc/terms/": "dct:",
    "http://xmlns.com/foaf/0.1/": "foaf:",
    "http://www.w3.org/2006/vcard/ns#": "vcard:",
    "http://www.w3.org/ns/adms#": "adms:",
    "http://spdx.org/rdf/terms#": "spdx:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
}
_lock = threading.Lock()


def _curie(iri: str) -> str:
    for base, prefix in _PREFIXES.items():
        if iri.startswith(base):
            return prefix + iri[len(base) :]
    return iri


@cache
def _shapes() -> Any:
    from rdflib import Graph

    folder = resources.files("renkei.quality").joinpath("data/dcat-ap-3.0.1")
    graph = Graph()
    for name in ("shapes.ttl", "range.ttl"):
        graph.parse(data=folder.joinpath(name).read_text("utf-8"), format="turtle")
    return graph


class DcatApValidator:
    """Validates ``package_show`` dicts as this node exports them."""

    def __init__(self, site_url: str, default_lang: str) -> None:
        self.site_url = site_url.rstrip("/")
        self.default_lang = default_lang

    def __call__(self, dataset: Mapping[str, Any]) -> list[Violation]:
        import pyshacl
        from rdflib import Graph, Namespace
        from rdflib.namespace import RDF

        sh = Namespace("http://www.w3.org/ns/shacl#")
        page_url = f"{self.site_url}/dataset/{dataset['name']}"
        document = dcat(
            dataset, page_url=page_url, site_url=self.site_url, default_lang=self.default_lang
        )
        data = Graph().parse(data=json.dumps(document), format="json-ld")
        with _lock:  # the shapes graph is shared; pySHACL is not documented as thread-safe
            _, report, _ = pyshacl.validate(
                data, shacl_graph=_shapes(), inference="none", allow_warnings=True
            )
        violations: list[Violation] = []
        for result in report.subjects(RDF.type, sh.ValidationResult):
            if report.value(result, sh.resultSeverity) != sh.Violation:
                continue
            focus = str(report.value(result, sh.focusNode) or "")
            path = _curie(str(report.value(result, sh.resultPath) or ""))
            message = str(report.value(result, sh.resultMessage) or "constraint violated")
            where = path
            if "#resource-" in focus:
                where = f"resources[{focus.rsplit('#resource-', 1)[1]}].{path}"
            violations.append(
                (where, f"{where}: {message}", f"{where}: {message}（DCAT-AP の制約）")
            )
        return sorted(set(violations))
