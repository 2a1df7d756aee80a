"""The columnar reader gives the csv module's records, and the whole-column tests miss nothing.

The content checks split CSV with pyarrow (``csvgrid``) and scan whole columns with RE2 before
Python looks at a cell. These tests hold both to the slow reference they replace: the rows of
``csv.reader`` and the Python regexes of the rules.
"""

from __future__ import annotations

import csv
import io
import random
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from renkei.ingest.encoding import detect_encoding
from renkei.quality import cellscan, csvgrid, machine_readability, reading
from renkei.quality.grid import PY_WHITESPACE, Grid, GridRows
from renkei.quality.reading import read_table, read_text_table

EDGE_CASES = [
    "",
    "\n\n",
    "a,b,c\r\n1,2,3\r\n4,5,6\r\n",
    "a,b,c\n1,2,3",
    'a,b\n"x\r\ny",2\n',
    'a,b\n"1,2",3\n"say ""hi""",4\n""," "\n',
    "a,b,c\n1,2,3\n\n\n4,5,6\n\n",
    "x\n\ny\n \nz\n",
    "a,b,c\n1,2\n3,4,5,6\n,,\n7,8,9\n",
    'a,b\n"multi\nline\nvalue",2\n3,4\n',
    '"a\n,b",c\n1,2\n',
    "#title\n\na,b,c\n1,2,3\n注：推計\n",
    # Left to the csv module: a quote inside a field, a stray quote, an unclosed one, a lone CR.
    'a,b\nab"c,2\n',
    'a,b\n"1" ,2\n',
    'a,b\n1,"2\n3,4\n',
    "a,b,c\r\n1,2,3\r4,5,6\r\n",
]

TOKENS = ["", "1", "名称", " ", "\u3000", "1,234円", '"q"', "x y", "a\nb", "34.1,134.2", '""']


def _random_csv(seed: int) -> str:
    rng = random.Random(seed)
    lines = []
    for _ in range(rng.randint(1, 30)):
        if rng.random() < 0.08:
            lines.append("")
            continue
        cells = []
        for _ in range(rng.choice([3, 3, 3, 3, 1, 2, 4, 5])):
            value = rng.choice(TOKENS)
            needs_quotes = any(ch in value for ch in ',"\n') or rng.random() < 0.1
            cells.append('"' + value.replace('"', '""') + '"' if needs_quotes else value)
        lines.append(",".join(cells))
    newline = "\r\n" if rng.random() < 0.3 else "\n"
    return newline.join(lines) + (newline if rng.random() < 0.8 else "")


def _csv_module(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("text", EDGE_CASES + [_random_csv(seed) for seed in range(300)])
def test_records_are_the_csv_modules(text):
    grid = csvgrid.split(text.encode(), ",")
    if grid is not None:  # None: a file only the csv module reads exactly (as before)
        assert GridRows(grid) == _csv_module(text)
    table = read_text_table(text, filename="t.csv")
    assert list(table.sheets[0].rows) == _csv_module(text.removeprefix("\ufeff"))


def test_misplaced_quotes_and_lone_carriage_returns_are_left_to_the_csv_module():
    for text in EDGE_CASES[-4:]:
        assert csvgrid.split(text.encode(), ",") is None, text
    table = read_text_table('a,b\n"1" ,2\n' + "x,y\n" * 50_000)
    assert [line for line, _ in table.quote_errors] == [2]
    assert table.sheets[0].rows[1] == ["1 ", "2"]


def test_every_fixture_reads_as_the_csv_module_reads_it(fixture_file):
    from tests.conftest import FIXTURES

    for path in sorted((FIXTURES / "csv-ja").glob("*.csv")):
        local = fixture_file(f"csv-ja/{path.name}")
        table = read_table(local)
        text = local.read_bytes().decode(table.encoding, errors="replace")
        delimiter = "\t" if table.format == "tsv" else ","
        reference = list(
            csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=delimiter)
        )
        assert list(table.sheets[0].rows) == reference, path.name
        # One detector: the quality checks and inspection name the same encoding.
        assert table.encoding == detect_encoding(local).encoding, path.name


def test_ragged_blank_and_quoted_records_in_a_large_file():
    body = "".join(f'{i},"名称{i}, 支所",{i % 7}\n' for i in range(20_000))
    text = "#表題\na,b,c\n" + body[:100_000] + "\n1,2\n" + body[100_000:] + "注,,,\n"
    grid = csvgrid.split(text.encode(), ",")
    assert grid is not None
    assert GridRows(grid) == _csv_module(text)


def test_grid_rows_behave_as_a_list_of_rows():
    rows = [["a", "b"], [], ["1"], ["2", "3", "4"]]
    view = GridRows(Grid.from_rows(rows))
    assert len(view) == 4 and view[0] == ["a", "b"] and view[-1] == ["2", "3", "4"]
    assert view[1] == [] and view[1:3] == [[], ["1"]] and list(view) == rows
    with pytest.raises(IndexError):
        view[4]


def test_whitespace_is_pythons():
    spaces = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    assert set(PY_WHITESPACE) == spaces
    every = pa.array([chr(c) for c in range(0x3100) if not 0xD800 <= c < 0xE000])
    matched = pc.match_substring_regex(every, f"^{cellscan.WS}$").to_pylist()
    assert {ch for ch, m in zip(every.to_pylist(), matched, strict=True) if m} == spaces


def test_the_platform_trigger_is_the_rules_character_class():
    chars = [chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000]
    re2 = pc.match_substring_regex(pa.array(chars), machine_readability.TRIGGERS["platform"])
    ours = {ch for ch, m in zip(chars, re2.to_pylist(), strict=True) if m}
    assert ours == {ch for ch in chars if machine_readability.PLATFORM.fullmatch(ch)}


def test_a_decorated_number_after_empty_cells_is_reported_at_its_own_row():
    # The joined-column scan used to let a leading \s* swallow the separators of the empty
    # cells above and report the number at the first empty row.
    text = "名称,金額（円）\n" + "A,100\n" * 10 + "B,\nC,\nD,1200円\n"
    score = machine_readability.score(read_text_table(text))
    rows = [f.location.row for f in score.findings if f.rule == "jp-mr.1-3"]
    assert rows == [14]


def test_quality_and_inspection_agree_on_a_mixed_file(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes("地域,名称\n高松市,中央公園\n".encode() + "丸亀市,城\n".encode("cp932"))
    table = read_table(path)
    found = detect_encoding(path)
    assert table.encoding == found.encoding == "utf-8"
    assert [line for line, _ in table.encoding_errors] == [found.error_line] == [3]


def test_the_detector_hands_back_the_text_it_verified(fixture_file):
    for name in (
        "takamatsu_0002_aed.cp932.csv",
        "takamatsu_0002_aed.utf16.csv",
        "takamatsu_0002_aed.csv",
    ):
        data = fixture_file(f"csv-ja/{name}").read_bytes()
        found = detect_encoding(data, transcode=True)
        assert found.encoding == detect_encoding(data).encoding, name
        if found.encoding.startswith("utf-8"):
            assert found.utf8 is None, name  # UTF-8 bytes are used as they are: no copy
        else:
            assert found.utf8 == data.decode(found.encoding).encode("utf-8"), name


def test_no_text_comes_back_when_the_encoding_is_not_verified():
    data = "地域,名称\n高松市,中央公園\n".encode() + "丸亀市,城\n".encode("cp932")
    found = detect_encoding(data, transcode=True)
    assert found.error_offset is not None and found.utf8 is None


@pytest.mark.parametrize("codec", reading.NO_REPLACEMENT_CODECS)
def test_codecs_trusted_to_never_yield_a_replacement_character(codec):
    # read_table skips its U+FFFD search for these codecs: hold them to it over every byte
    # sequence of one and two bytes (and EUC-JP's three-byte JIS X 0212 sequences).
    sequences = [bytes([a]) for a in range(256)]
    sequences += [bytes([a, b]) for a in range(256) for b in range(256)]
    if codec == "euc_jp":
        sequences += [bytes([0x8F, a, b]) for a in range(0xA1, 0xFF) for b in range(0xA1, 0xFF)]
    decoded = []
    for raw in sequences:
        try:
            decoded.append(raw.decode(codec))
        except UnicodeDecodeError:
            continue
    assert len(decoded) > 7000  # the table really was walked
    assert not any("\ufffd" in text for text in decoded)


def test_a_large_cp932_file_reads_as_its_utf8_twin(fixture_file):
    # 250 KB: split by pyarrow from the UTF-8 the detector wrote, not by the csv module.
    utf8_file = fixture_file("csv-ja/takamatsu_0062_medical.csv")
    reference = read_table(utf8_file)
    cp932_file = utf8_file.with_name("medical.cp932.csv")
    cp932_file.write_bytes(utf8_file.read_bytes().decode("utf-8-sig").encode("cp932"))
    assert cp932_file.stat().st_size >= csvgrid.MIN_BYTES
    table = read_table(cp932_file)
    assert table.encoding == "cp932" and not table.replacement_chars and not table.bom
    assert list(table.sheets[0].rows) == list(reference.sheets[0].rows)
