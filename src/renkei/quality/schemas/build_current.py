"""Write the CURRENT-generation Table Schemas (``<slug>.current.json``).

Run ``python -m renkei.quality.schemas.build_current``. The current generation is the Digital
Agency's 自治体標準オープンデータセット (正式版, データ項目定義書A). The definition workbook is
not in this repository, so every column below is backed by the public material named in
``SOURCES`` and only what that material shows ships: a dataset whose own columns could not be
confirmed ships with the shared columns alone and ``x-partial: true`` (see the README for what is
left out and why). Each field names its sources in ``x-sources``.
"""

from __future__ import annotations

import json
from pathlib import Path

#: source key -> what it is (copied into every schema that uses it)
SOURCES = {
    "toilet-definition": (
        "tsunagu-bosai/open-infra-japan schema/standard/public-toilet/schema.csv: a "
        "machine-readable extract of データ項目定義書A (20260801版) sheet 13.公衆トイレ一覧 "
        "(PDL1.0), with every column, its 必須 mark (◎ required, ○ recommended), format and "
        "controlled values."
    ),
    "address-mapping": (
        "geolonia/datamodels "
        "models/common/JapaneseAddress/mapping/jichitai-opendata-address.yaml:"
        " データ項目定義書A (20260801版); the 12 datasets 01 公共施設, 02 文化財, 03 "
        "指定緊急避難場所,"
        " 05 子育て施設, 07 公衆無線LAN, 08 AED, 09 介護サービス事業所, 10 医療機関, 11 観光施設,"
        " 12 イベント, 13 公衆トイレ, 14 消防水利施設 share the columns "
        "所在地_全国地方公共団体コード,"
        " 町字ID, 所在地_連結表記 (required), 所在地_都道府県, 所在地_市区町村, 所在地_町字,"
        " 所在地_番地以下, 建物名等(方書); 郵便番号 is in all but 12, 13 and 14."
    ),
    "location-mapping": (
        "geolonia/datamodels models/common/Geometry/mapping/jichitai-opendata-location.yaml: "
        "データ項目定義書A (20260801版); datasets 01-03, 05 and 07-15 give the location as 緯度 "
        "and "
        "経度 (decimal degrees)."
    ),
    "evacuation-mapping": (
        "geolonia/datamodels "
        "models/disaster/EvacuationSite/mapping/jichitai-opendata-site.yaml: "
        "データ項目定義書A (20260801版) sheet 03.指定緊急避難場所一覧 (flags hold 1, empty = not "
        "designated)."
    ),
    "nanao-file": (
        "A real file: shared/fixtures/csv-ja/nanao_shelter_reference_data.csv (七尾市 "
        "指定緊急避難場所, CC BY 4.0)."
    ),
    "evacuation-writers": (
        "Three public programs that write or load the current 指定緊急避難場所 layout in the same "
        "column order (a つくば市 converter, a Python record class, a table definition of "
        "熊本市's "
        "file), all with 内線番号, 連絡先メールアドレス, 連絡先FormURL, "
        "連絡先備考（その他、SNSなど）, "
        "郵便番号, 市区町村コード, 地方公共団体名, 指定避難所との重複, URL, 画像, "
        "画像_ライセンス, 備考."
    ),
    "aed-reader": (
        "A public importer of current-generation AED files reading these exact column names "
        "(全国地方公共団体コード, 地方公共団体名, 名称_英字, 所在地_*, 建物名等(方書), "
        "高度の種別, ...)."
    ),
    "kumamoto-tables": (
        "A public table definition of 熊本市's current-generation files (公共施設, 公衆無線LAN, "
        "子育て施設). Its author shortened some names (自治体コード, メールアドレス, 連絡先備考, "
        "建物名等), so only columns whose names are confirmed verbatim elsewhere or are "
        "unchanged from the legacy generation are taken from it."
    ),
    "fire-water-sample": (
        "Public test data in the current 消防水利施設 layout (南さつま市): "
        "全国地方公共団体コード, ID, "
        "地方公共団体名, 種別, 所在地_*, 建物名等(方書), 緯度, 経度, 口径, 備考."
    ),
    "care-readers": (
        "Public readers of 川崎市's and a Tokyo ward's current 介護サービス事業所 files "
        "(介護サービス事業所名称, ID, 電話番号, 郵便番号, URL, 緯度, 経度, 所在地_市区町村)."
    ),
    "cultural-reader": (
        "A public reader of a city's current 文化財一覧 file (名称, 文化財分類, 種類, 所有者等, "
        "文化財指定日, 所在地_連結表記, 所在地_町字)."
    ),
    "medical-reader": (
        "A public reader of 新宿区's current 医療機関一覧 file (地方公共団体名, 名称, "
        "医療機関の種類, "
        "緯度, 経度)."
    ),
}

YES_NO = ["有", "無"]
FLAG = "指定は 1、なければ空欄"


def field(name: str, sources: list[str], kind: str = "string", **extra) -> dict:
    out: dict = {"name": name, "type": kind}
    if kind == "uri":
        out["type"], out["format"] = "string", "uri"
    constraints = {}
    if extra.pop("required", False):
        constraints["required"] = True
    if "enum" in extra:
        constraints["enum"] = extra.pop("enum")
    if constraints:
        out["constraints"] = constraints
    if extra.pop("recommended", False):
        out["x-recommended"] = True
    if "description" in extra:
        out["description"] = extra.pop("description")
    out["x-sources"] = sources
    assert not extra, extra
    return out


def head(sources: list[str], *, with_name: bool = True) -> list[dict]:
    """全国地方公共団体コード, ID (and 地方公共団体名): the publisher and the record's id."""
    out = [
        field("全国地方公共団体コード", sources, description="公開する団体の6桁のコード"),
        field("ID", sources, description="団体内で一意なID（半角英数字）"),
    ]
    if with_name:
        name = field(
            "地方公共団体名", sources, description="公開する団体の名称（例: 北海道札幌市）"
        )
        out.append(name)
    return out


def location(extra_sources: list[str] = ()) -> list[dict]:
    """The address columns shared by the 12 datasets (所在地_連結表記 is required)."""
    src = ["address-mapping", *extra_sources]
    return [
        field("所在地_全国地方公共団体コード", src, description="所在地の団体の6桁のコード"),
        field("町字ID", src, description="アドレス・ベース・レジストリの町字ID"),
        field("所在地_連結表記", src, required=True, description="都道府県から建物名等まで"),
        field("所在地_都道府県", src),
        field("所在地_市区町村", src),
        field("所在地_町字", src),
        field("所在地_番地以下", src),
        field("建物名等(方書)", src),
    ]


def coordinates(sources: list[str] = ()) -> list[dict]:
    src = ["location-mapping", *sources]
    return [field("緯度", src, "number"), field("経度", src, "number")]


def contact(sources: list[str]) -> list[dict]:
    return [
        field("電話番号", sources),
        field("内線番号", sources),
        field("連絡先メールアドレス", sources),
        field("連絡先FormURL", sources, "uri"),
        field("連絡先備考（その他、SNSなど）", sources),
        field("郵便番号", ["address-mapping", *sources], description="連絡先の郵便番号"),
    ]


def hours(sources: list[str]) -> list[dict]:
    return [
        field("利用可能曜日", sources),
        field("開始時間", sources, "time"),
        field("終了時間", sources, "time"),
        field("利用可能日時特記事項", sources),
    ]


def toilet() -> list[dict]:
    """Every column of sheet 13, with its ◎ (required) / ○ (recommended) mark."""
    d = ["toilet-definition"]
    a = ["toilet-definition", "address-mapping"]
    count = "integer"
    return [
        field("全国地方公共団体コード", d, recommended=True),
        field("ID", d, recommended=True),
        field("地方公共団体名", d),
        field("名称", d, required=True),
        field("名称_カナ", d, recommended=True),
        field("名称_英語", d, recommended=True),
        field("所在地_全国地方公共団体コード", a, recommended=True),
        field("町字ID", a),
        field("所在地_連結表記", a, required=True),
        field("所在地_都道府県", a, recommended=True),
        field("所在地_市区町村", a, recommended=True),
        field("所在地_町字", a, recommended=True),
        field("所在地_番地以下", a, recommended=True),
        field("建物名等(方書)", a),
        field("設置位置", d, required=True),
        field("緯度", [*d, "location-mapping"], "number", recommended=True),
        field("経度", [*d, "location-mapping"], "number", recommended=True),
        field("高度の種別", d, description="階数・標高・地表高のいずれか"),
        field("高度の値", d, "number"),
        field("男性トイレ総数", d, count, recommended=True),
        field("男性トイレ数（小便器）", d, count),
        field("男性トイレ数（和式）", d, count),
        field("男性トイレ数（洋式）", d, count),
        field("女性トイレ総数", d, count, recommended=True),
        field("女性トイレ数（和式）", d, count),
        field("女性トイレ数（洋式）", d, count),
        field("男女共用トイレ総数", d, count, recommended=True),
        field("男女共用トイレ数（和式）", d, count),
        field("男女共用トイレ数（洋式）", d, count),
        field("バリアフリートイレ数", d, count, recommended=True),
        field("車椅子使用者用トイレ有無", d, enum=YES_NO, recommended=True),
        field("乳幼児用設備設置トイレ有無", d, enum=YES_NO, recommended=True),
        field("オストメイト設置トイレ有無", d, enum=YES_NO, recommended=True),
        field("利用開始時間", d, "time", recommended=True),
        field("利用終了時間", d, "time", recommended=True),
        field("利用可能時間特記事項", d),
        field("画像", d, "uri", recommended=True),
        field("画像_ライセンス", d, recommended=True),
        field("備考", d),
    ]


def evacuation() -> list[dict]:
    """The column order the three writers share; the Nanao file confirms 26 of them."""
    w = ["evacuation-writers"]
    wnm = ["evacuation-writers", "nanao-file", "evacuation-mapping"]
    flags = [
        "洪水",
        "崖崩れ、土石流及び地滑り",
        "高潮",
        "地震",
        "津波",
        "大規模な火事",
        "内水氾濫",
        "火山現象",
    ]
    return [
        field("全国地方公共団体コード", ["evacuation-writers", "evacuation-mapping"]),
        field("ID", wnm),
        field("名称", wnm),
        field("名称_カナ", wnm),
        field("名称_英字", wnm),
        *location(["nanao-file", "evacuation-writers"]),
        *coordinates(wnm),
        field("標高", wnm, "number", description="m単位"),
        field("電話番号", wnm),
        *contact(w)[1:],
        field("市区町村コード", w),
        field("地方公共団体名", w),
        *(field(f"災害種別_{f}", wnm, enum=["1"], description=FLAG) for f in flags),
        field("指定避難所との重複", ["evacuation-writers", "evacuation-mapping"], enum=["1"]),
        field("想定収容人数", wnm),
        field("対象となる町会・自治会", wnm),
        field("URL", ["evacuation-writers", "evacuation-mapping"], "uri"),
        field("画像", w, "uri"),
        field("画像_ライセンス", w),
        field("備考", ["evacuation-writers", "evacuation-mapping"]),
    ]


def aed() -> list[dict]:
    r = ["aed-reader"]
    return [
        *head(r),
        field("名称", r),
        field("名称_カナ", r),
        field("名称_英字", r),
        *location(r),
        *coordinates(r),
        field("高度の種別", r),
        field("高度の値", r, "number"),
        field("設置位置", r),
        *contact(r),
        field("法人番号", r),
        field("団体名", r),
        *hours(r),
        field("小児対応設備の有無", r, enum=YES_NO),
        field("URL", r, "uri"),
        field("備考", r),
    ]


def public_wifi() -> list[dict]:
    k = ["kumamoto-tables"]
    return [
        *head(k),
        field("名称", k),
        field("名称_カナ", k),
        field("名称_英語", k),
        *location(k),
        *coordinates(k),
        field("設置者", k),
        field("電話番号", k),
        field("内線番号", k),
        field("連絡先FormURL", k, "uri"),
        field("郵便番号", ["address-mapping", *k]),
        field("SSID", k),
        field("提供エリア", k),
        field("URL", k, "uri"),
        field("備考", k),
    ]


def childcare() -> list[dict]:
    k = ["kumamoto-tables"]
    return [
        *head(k),
        field("名称", k),
        field("名称_カナ", k),
        field("名称_英字", k),
        field("種別", k),
        *location(k),
        *coordinates(k),
        field("高度の種別", k),
        field("高度の値", k, "number"),
        field("アクセス方法", k),
        field("駐車場情報", k),
        field("電話番号", k),
        field("内線番号", k),
        field("FAX番号", k),
        field("連絡先FormURL", k, "uri"),
        field("郵便番号", ["address-mapping", *k]),
        field("法人番号", k),
        field("団体名", k),
        field("収容定員", k),
        field("受入年齢", k),
        field("利用可能曜日", k),
        field("開始時間", k, "time"),
        field("終了時間", k, "time"),
        field("一時預かりの有無", k, enum=YES_NO),
        field("URL", k, "uri"),
        field("画像", k, "uri"),
        field("備考", k),
    ]


def public_facility() -> list[dict]:
    k = ["kumamoto-tables"]
    return [
        *head(k, with_name=False),
        field("名称", k),
        field("名称_カナ", k),
        field("名称_英字", k),
        *location(k),
        *coordinates(k),
        field("種別", k),
        field("電話番号", k),
        field("内線番号", k),
        field("連絡先FormURL", k, "uri"),
        field("郵便番号", ["address-mapping", *k]),
        field("利用可能曜日", k),
        field("開始時間", k, "time"),
        field("終了時間", k, "time"),
        field("URL", k, "uri"),
        field("画像", k, "uri"),
        field("備考", k),
    ]


def fire_water() -> list[dict]:
    s = ["fire-water-sample"]
    return [
        *head(s),
        field("種別", s),
        *location(s),
        *coordinates(s),
        field("口径", s, "number"),
        field("備考", s),
    ]


def care_service() -> list[dict]:
    r = ["care-readers"]
    return [
        field("ID", r),
        field("介護サービス事業所名称", r),
        *location(),
        *coordinates(r),
        field("電話番号", r),
        field("郵便番号", ["address-mapping", *r]),
        field("URL", r, "uri"),
    ]


def cultural_property() -> list[dict]:
    r = ["cultural-reader"]
    return [
        field("名称", r),
        field("文化財分類", r),
        field("種類", r),
        *location(),
        *coordinates(),
        field("郵便番号", ["address-mapping"]),
        field("所有者等", r),
        field("文化財指定日", r, "date"),
    ]


def medical_institution() -> list[dict]:
    r = ["medical-reader"]
    return [
        field("地方公共団体名", r),
        field("名称", r),
        field("医療機関の種類", r),
        *location(),
        *coordinates(r),
        field("郵便番号", ["address-mapping"]),
    ]


def shared_only(with_postal_code: bool) -> list[dict]:
    """Datasets whose own columns no public source confirmed: the shared address columns."""
    out = [*location(), *coordinates()]
    if with_postal_code:
        out.append(field("郵便番号", ["address-mapping"]))
    return out


#: slug -> (title, English title, sheet of データ項目定義書A, fields, partial?)
DATASETS = {
    "public-toilet": ("公衆トイレ一覧", "Public toilets", "13", toilet(), False),
    "evacuation-site": (
        "指定緊急避難場所一覧",
        "Designated emergency evacuation sites",
        "03",
        evacuation(),
        False,
    ),
    "aed": ("AED設置箇所一覧", "AED locations", "08", aed(), True),
    "public-wifi": (
        "公衆無線LANアクセスポイント一覧",
        "Public wireless LAN access points",
        "07",
        public_wifi(),
        True,
    ),
    "childcare-facility": ("子育て施設一覧", "Childcare facilities", "05", childcare(), True),
    "public-facility": ("公共施設一覧", "Public facilities", "01", public_facility(), True),
    "fire-water": (
        "消防水利施設一覧",
        "Fire-fighting water supplies",
        "14",
        fire_water(),
        True,
    ),
    "care-service": (
        "介護サービス事業所一覧",
        "Care service providers",
        "09",
        care_service(),
        True,
    ),
    "cultural-property": (
        "文化財一覧",
        "Cultural properties",
        "02",
        cultural_property(),
        True,
    ),
    "medical-institution": (
        "医療機関一覧",
        "Medical institutions",
        "10",
        medical_institution(),
        True,
    ),
    "tourist-facility": (
        "観光施設一覧",
        "Tourist facilities",
        "11",
        shared_only(with_postal_code=True),
        True,
    ),
    "event": ("イベント一覧", "Events", "12", shared_only(with_postal_code=False), True),
}


def schema(slug: str) -> dict:
    title, title_en, sheet, fields, partial = DATASETS[slug]
    names = [f["name"] for f in fields]
    assert len(names) == len(set(names)), slug
    used = sorted({s for f in fields for s in f["x-sources"]})
    confirmed = "nanao-file" in used
    description = (
        f"{title}（自治体標準オープンデータセット 正式版、データ項目定義書A シート{sheet}）"
        "の現行世代の項目。"
        + (
            "確認できた項目のみを収録（定義書の全項目ではない）。"
            if partial
            else "定義書の項目順。"
        )
        + ("実ファイルで確認済みの項目は x-sources に nanao-file を含む。" if confirmed else "")
    )
    return {
        "name": f"{slug}.current",
        "title": title,
        "x-title-en": title_en,
        "x-generation": "current",
        "x-partial": partial,
        "description": description,
        "x-source": "デジタル庁 自治体標準オープンデータセット（正式版）データ項目定義書A, "
        "https://www.digital.go.jp/resources/open_data/municipal-standard-data-set-test",
        "x-sources": {key: SOURCES[key] for key in used},
        "x-built": "2026-10",
        "fields": fields,
    }


def main() -> None:
    out = Path(__file__).parent
    for slug in DATASETS:
        document = schema(slug)
        target = out / f"{document['name']}.json"
        target.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", "utf-8")
        print(target.name, len(document["fields"]))


if __name__ == "__main__":
    main()
