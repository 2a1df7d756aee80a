"""The content checks of one file: machine-readability, structure, codes, standard schema.

``score_file`` reads the file once (``reading``), finds the table layout once per sheet
(``layout``) and hands both to every scorer, so the stored reports, the API and
``renkei quality check`` all get the same Scores.
"""

from __future__ import annotations

from pathlib import Path

from renkei.quality import codes, machine_readability, standard_schema, structure
from renkei.quality.findings import Score
from renkei.quality.layout import detect
from renkei.quality.reading import DecodedTable, read_table


def score_table(table: DecodedTable, *, schema: str | None = None) -> list[Score]:
    layouts = [detect(sheet) for sheet in table.sheets]
    scores = [
        machine_readability.score(table, layouts),
        structure.score(table, layouts),
        codes.score(table, layouts),
    ]
    conformance = standard_schema.score(table, layouts, schema=schema)
    if conformance is not None:
        scores.append(conformance)
    return scores


def score_file(
    path: Path, *, filename: str | None = None, schema: str | None = None
) -> list[Score]:
    """One Score per scorer ("machine_readability", "structure", "codes", and
    "standard_schema" when a schema is given or detected; its first finding, rule
    ``schema.applied``, names the schema).

    Raises ``reading.ReadError`` when the file is not a readable CSV/TSV/XLSX table and
    ``ValueError`` for an unknown schema name.
    """
    return score_table(read_table(path, filename=filename), schema=schema)
