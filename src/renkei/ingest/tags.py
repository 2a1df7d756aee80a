"""Tags to suggest from a file's name and column names (the publisher edits them before saving)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from renkei.ingest import values

if TYPE_CHECKING:
    from renkei.ingest.model import Inspection

# word found in the file or column names -> tag (the vocabulary of Japanese open data portals)
KEYWORDS: dict[str, str] = {
    "避難": "防災", "evacuation": "防災", "shelter": "防災", "災害": "防災", "防災": "防災",
    "aed": "AED", "医療": "医療", "病院": "医療", "medical": "医療", "hospital": "医療",
    "人口": "人口", "世帯": "人口", "population": "人口",
    "トイレ": "トイレ", "toilet": "トイレ", "wi-fi": "公衆無線LAN", "無線lan": "公衆無線LAN",
    "wireless": "公衆無線LAN", "ssid": "公衆無線LAN",
    "税": "税", "tax": "税", "福祉": "福祉", "welfare": "福祉", "介護": "福祉",
    "保育": "子育て", "子育て": "子育て", "学校": "教育", "school": "教育",
    "観光": "観光", "tourist": "観光", "公園": "公園", "park": "公園",
}  # fmt: skip


def suggest_tags(filename: str, inspection: Inspection) -> list[str]:
    words = [filename, *(c.name for c in inspection.columns)]
    for sheet in inspection.sheets:
        words.extend(c.name for c in sheet.columns)
    haystack = values.normalize(" ".join(words)).lower()
    tags = [tag for word, tag in KEYWORDS.items() if word in haystack]
    if inspection.bbox is not None:
        tags.append("位置情報")
    if inspection.temporal is not None:
        tags.append("時系列")
    return list(dict.fromkeys(tags))
