"""Regenerate the shipped Table Schema files from the nec-fiware-cio data models.

Run ``python -m renkei.quality.schemas.build /work/shared/fixtures/schemas/nec-fiware-cio``.
Each ``NN_名前/model.yaml`` (an OpenAPI schema of one standard dataset's columns) becomes
``<slug>.legacy.json``, a Frictionless Table Schema: schema.org Text/Number/Date/Time/URL map to
string/number/date/time/string(uri), ``enum`` to an enum constraint and ``required`` to a
required constraint. The NGSI ``location`` property (a GeoJSON StructuredValue) is not a CSV
column (CSV files carry 緯度/経度) and is left out.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

#: folder name -> (slug, English title)
DATASETS = {
    "01_AED設置箇所一覧": ("aed", "AED locations"),
    "02_介護サービス事業所一覧": ("care-service", "Care service providers"),
    "03_医療機関一覧": ("medical-institution", "Medical institutions"),
    "04_文化財一覧": ("cultural-property", "Cultural properties"),
    "05_観光施設一覧": ("tourist-facility", "Tourist facilities"),
    "06_イベント一覧": ("event", "Events"),
    "07_公衆無線LANアクセスポイント一覧": ("public-wifi", "Public wireless LAN access points"),
    "08_公衆トイレ一覧": ("public-toilet", "Public toilets"),
    "09_消防水利施設一覧": ("fire-water", "Fire-fighting water supplies"),
    "10_指定緊急避難場所一覧": ("evacuation-site", "Designated emergency evacuation sites"),
    "11_地域・年齢別人口": ("population-by-area-age", "Population by area and age"),
    "12_公共施設一覧": ("public-facility", "Public facilities"),
    "13_子育て施設一覧": ("childcare-facility", "Childcare facilities"),
    "14_オープンデータ一覧": ("open-data-list", "Open data list"),
}

TYPES = {
    "https://schema.org/Text": ("string", None),
    "https://schema.org/Number": ("number", None),
    "https://schema.org/Date": ("date", None),
    "https://schema.org/Time": ("time", None),
    "https://schema.org/URL": ("string", "uri"),
}


def convert(folder: Path) -> dict:
    slug, title_en = DATASETS[folder.name]
    model = yaml.safe_load((folder / "model.yaml").read_text(encoding="utf-8"))
    ((name, spec),) = model["components"]["schemas"].items()
    required = set(spec.get("required", []))
    fields = []
    for column, prop in spec["properties"].items():
        kind = prop.get("x-ngsi", {}).get("model")
        if kind not in TYPES:
            continue  # the NGSI location (StructuredValue): not a CSV column
        ftype, fmt = TYPES[kind]
        field: dict = {
            "name": str(column),
            "type": ftype,
            "description": prop.get("description", ""),
        }
        if fmt:
            field["format"] = fmt
        constraints: dict = {}
        if column in required:
            constraints["required"] = True
        if "enum" in prop:
            constraints["enum"] = [str(v) for v in prop["enum"]]
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    return {
        "name": f"{slug}.legacy",
        "title": name,
        "x-title-en": title_en,
        "x-generation": "legacy",
        "description": spec.get("description", ""),
        "x-source": f"nec-fiware-cio/{folder.name}/model.yaml",
        "fields": fields,
    }


def main(source: str) -> None:
    out = Path(__file__).parent
    for folder in sorted(Path(source).iterdir()):
        if folder.name in DATASETS:
            schema = convert(folder)
            target = out / f"{schema['name']}.json"
            target.write_text(json.dumps(schema, ensure_ascii=False, indent=1) + "\n", "utf-8")
            print(target.name, len(schema["fields"]))


if __name__ == "__main__":
    main(sys.argv[1])
