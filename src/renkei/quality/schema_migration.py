"""What a file of the legacy column generation changes to follow the current generation.

Only mappings that are certain are listed: the legacy and current definitions describe the same
item (情報の管理主体である団体のコード, the record's number, the address, the 方書), and public
converters of real files map them the same way. A rename is advised only when the current
schema of the same dataset has the target column and the file does not have it yet.
"""

from __future__ import annotations

#: legacy column -> current column
RENAMES = {
    "都道府県コード又は市区町村コード": "全国地方公共団体コード",
    "NO": "ID",
    "住所": "所在地_連結表記",
    "方書": "建物名等(方書)",
}

#: legacy columns written together into one current column (e.g. 北海道 + 札幌市 -> 北海道札幌市)
MERGES = {("都道府県名", "市区町村名"): "地方公共団体名"}


def advice(labels: list[str], current: dict) -> list[tuple[list[str], str]]:
    """(legacy columns in the file, current column) for each change the file needs."""
    present = {label.strip() for label in labels if label.strip()}
    targets = {f["name"] for f in current["fields"]}
    out: list[tuple[list[str], str]] = []
    for old, new in RENAMES.items():
        if old in present and new in targets and new not in present:
            out.append(([old], new))
    for olds, new in MERGES.items():
        found = [old for old in olds if old in present]
        if found and new in targets and new not in present:
            out.append((found, new))
    return out
