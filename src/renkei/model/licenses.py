"""The licences a dataset can carry, with CKAN's ``license_list`` fields plus Japanese titles.

The ids of CKAN's default list are kept as they are, so harvested CKAN records keep their licence;
the Japanese public-sector licences and versioned Creative Commons ids are added.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class License:
    id: str
    title: str
    title_ja: str
    url: str
    od_conformance: str = "not reviewed"  # "approved" when the Open Definition approves it
    osd_conformance: str = "not reviewed"
    family: str = ""
    is_generic: bool = False
    summary_en: str = ""
    summary_ja: str = ""

    @property
    def is_okd_compliant(self) -> bool:
        return self.od_conformance == "approved"

    def as_ckan_dict(self) -> dict[str, object]:
        data = asdict(self)
        data.update(
            status="active",
            maintainer="",
            domain_content=True,
            domain_data=True,
            domain_software=False,
            is_okd_compliant=self.is_okd_compliant,
            is_osi_compliant=self.osd_conformance == "approved",
        )
        return data


LICENSES: tuple[License, ...] = (
    License(
        "pdl-1.0",
        "Public Data License (Version 1.0)",
        "公共データ利用規約（第1.0版）",
        "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0",
        od_conformance="approved",
        family="Japan",
        summary_en="Use, copy, adapt and redistribute, also commercially, citing the source.",
        summary_ja="出典を記載すれば、商用を含め自由に利用・複製・加工・再配布できます。",
    ),
    License(
        "gjstu-2.0",
        "Government of Japan Standard Terms of Use (Version 2.0)",
        "政府標準利用規約（第2.0版）",
        "https://www.digital.go.jp/resources/open_data/",
        od_conformance="approved",
        family="Japan",
        summary_en="Legacy terms, compatible with CC BY 4.0: reuse freely with attribution.",
        summary_ja="旧来の規約（CC BY 4.0 互換）。出典を記載すれば自由に利用できます。",
    ),
    License(
        "cc-by-4.0",
        "Creative Commons Attribution 4.0",
        "クリエイティブ・コモンズ 表示 4.0 国際",
        "https://creativecommons.org/licenses/by/4.0/",
        od_conformance="approved",
        family="Creative Commons",
        summary_en="Share and adapt for any purpose, giving appropriate credit.",
        summary_ja="クレジットを表示すれば、目的を問わず共有・翻案できます。",
    ),
    License(
        "cc-by",
        "Creative Commons Attribution",
        "クリエイティブ・コモンズ 表示",
        "https://creativecommons.org/licenses/by/4.0/",
        od_conformance="approved",
        family="Creative Commons",
        is_generic=True,
        summary_en="Share and adapt for any purpose, giving appropriate credit.",
        summary_ja="クレジットを表示すれば、目的を問わず共有・翻案できます。",
    ),
    License(
        "cc-by-sa",
        "Creative Commons Attribution Share-Alike",
        "クリエイティブ・コモンズ 表示-継承",
        "https://creativecommons.org/licenses/by-sa/4.0/",
        od_conformance="approved",
        family="Creative Commons",
        summary_en="Share and adapt with credit; adaptations under the same licence.",
        summary_ja="クレジットを表示し、改変物も同じライセンスで公開する条件で利用できます。",
    ),
    License(
        "cc-zero",
        "Creative Commons CCZero",
        "CC0（パブリック・ドメイン提供）",
        "https://creativecommons.org/publicdomain/zero/1.0/",
        od_conformance="approved",
        family="Creative Commons",
        summary_en="No rights reserved: use without any condition.",
        summary_ja="権利を放棄しており、条件なしで利用できます。",
    ),
    License(
        "cc-nc",
        "Creative Commons Non-Commercial (Any)",
        "クリエイティブ・コモンズ 非営利",
        "https://creativecommons.org/licenses/by-nc/4.0/",
        family="Creative Commons",
        summary_en="Non-commercial use only: not open.",
        summary_ja="非営利目的に限られます（オープンではありません）。",
    ),
    License(
        "odc-odbl",
        "Open Data Commons Open Database License (ODbL)",
        "オープンデータベースライセンス（ODbL）",
        "https://opendatacommons.org/licenses/odbl/",
        od_conformance="approved",
        family="Open Data Commons",
        summary_en="Share and adapt with attribution; derived databases share alike.",
        summary_ja="出典表示と継承を条件に、データベースを共有・改変できます。",
    ),
    License(
        "odc-by",
        "Open Data Commons Attribution License",
        "オープンデータコモンズ 表示ライセンス",
        "https://opendatacommons.org/licenses/by/",
        od_conformance="approved",
        family="Open Data Commons",
        summary_en="Share and adapt with attribution.",
        summary_ja="出典を表示すれば共有・改変できます。",
    ),
    License(
        "odc-pddl",
        "Open Data Commons Public Domain Dedication and License (PDDL)",
        "オープンデータコモンズ パブリックドメイン",
        "https://opendatacommons.org/licenses/pddl/",
        od_conformance="approved",
        family="Open Data Commons",
        summary_en="Public domain: use without conditions.",
        summary_ja="パブリックドメインとして条件なしで利用できます。",
    ),
    License(
        "uk-ogl",
        "UK Open Government Licence (OGL)",
        "英国オープンガバメントライセンス",
        "https://www.nationalarchives.gov.uk/doc/open-government-licence/",
        od_conformance="approved",
        summary_en="Reuse freely with attribution.",
        summary_ja="出典を表示すれば自由に再利用できます。",
    ),
    License(
        "other-open",
        "Other (Open)",
        "その他（オープン）",
        "",
        od_conformance="approved",
        is_generic=True,
        summary_en="Open terms stated by the publisher; read the dataset's description.",
        summary_ja="公開者が定めたオープンな条件です。説明をご確認ください。",
    ),
    License(
        "other-pd",
        "Other (Public Domain)",
        "その他（パブリックドメイン）",
        "",
        od_conformance="approved",
        is_generic=True,
        summary_en="Public domain as stated by the publisher.",
        summary_ja="公開者によりパブリックドメインとされています。",
    ),
    License(
        "other-at",
        "Other (Attribution)",
        "その他（表示）",
        "",
        od_conformance="approved",
        is_generic=True,
        summary_en="Reuse with attribution, on terms stated by the publisher.",
        summary_ja="公開者の定める条件で、出典表示により再利用できます。",
    ),
    License(
        "other-nc",
        "Other (Non-Commercial)",
        "その他（非営利）",
        "",
        is_generic=True,
        summary_en="Non-commercial use only: not open.",
        summary_ja="非営利目的に限られます（オープンではありません）。",
    ),
    License(
        "other-closed",
        "Other (Not Open)",
        "その他（非オープン）",
        "",
        is_generic=True,
        summary_en="Not an open licence: reuse needs the publisher's permission.",
        summary_ja="オープンではありません。利用には公開者の許諾が必要です。",
    ),
    License(
        "notspecified",
        "License not specified",
        "ライセンス未指定",
        "",
        is_generic=True,
        summary_en="No licence given: ask the publisher before reuse.",
        summary_ja="ライセンスが指定されていません。利用前に公開者へ確認してください。",
    ),
)

_BY_ID = {lic.id: lic for lic in LICENSES}
_BY_LOWER_ID = {lic.id.lower(): lic for lic in LICENSES}


def get_license(license_id: str | None) -> License | None:
    if not license_id:
        return None
    return _BY_ID.get(license_id) or _BY_LOWER_ID.get(license_id.lower())


def canonical_license_id(license_id: str) -> str | None:
    """The registered id for ``license_id`` (case-insensitive, e.g. CC-BY-4.0), or None."""
    lic = get_license(license_id)
    return lic.id if lic else None
