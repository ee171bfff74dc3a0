import datetime as dt

import pytest

from pipeline.contract import TABLES
from pipeline.problems import SourceError
from pipeline.readers import find_sources, read_sources, read_table
from tests.conftest import save_workbook, write

CONTRIBUTIONS = TABLES["contributions"]
HEADER = "contributor,contributor_iso3,year,commitment_usd,deposit_usd\n"


def read(root, name="contributions"):
    table = TABLES[name]
    return read_table(find_sources(root, table), table)


def problems(root, name="contributions") -> list[str]:
    with pytest.raises(SourceError) as caught:
        read(root, name)
    return [str(p) for f in caught.value.failures for p in f.examples]


def test_csv_is_typed_by_the_contract_with_lineage(tmp_path):
    write(tmp_path / "mptf/contributions.csv", HEADER + "Germany,DEU,2020,1500000.50,1000000\nNorway,,2021,0,0\n")
    rows = read(tmp_path)
    assert rows.schema.equals(CONTRIBUTIONS.schema, check_metadata=False)
    first = rows.to_pylist()[0]
    assert first["contributor"] == "Germany"
    assert first["year"] == 2020
    assert first["commitment_usd"] == 1500000.5
    assert (first["source_file"], first["source_sheet"], first["source_line"]) == ("mptf/contributions.csv", None, 2)
    assert len(first["source_sha256"]) == 64
    assert rows.column("contributor_iso3").to_pylist() == ["DEU", None]


def test_byte_order_mark_is_accepted(tmp_path):
    write(tmp_path / "mptf/contributions.csv", b"\xef\xbb\xbf" + (HEADER + "Germany,DEU,2020,1,1\n").encode())
    assert read(tmp_path).column("contributor").to_pylist() == ["Germany"]


def test_rows_of_several_files_are_combined_and_keep_their_origin(tmp_path):
    write(tmp_path / "mptf/contributions.csv", HEADER + "Germany,DEU,2020,1,1\n")
    write(tmp_path / "mptf/contributions-2024.csv", HEADER + "Spain,ESP,2024,2,2\nItaly,ITA,2024,3,3\n")
    rows = read(tmp_path).to_pylist()
    assert [(r["contributor"], r["source_file"], r["source_line"]) for r in rows] == [
        ("Germany", "mptf/contributions.csv", 2),
        ("Spain", "mptf/contributions-2024.csv", 2),
        ("Italy", "mptf/contributions-2024.csv", 3),
    ]


def test_workbook_sheets_are_read_with_sheet_and_line(tmp_path):
    row = ["ECE-2020", "2020-2021", "Europe and North America", "ECE", dt.datetime(2020, 11, 12)]
    row += [dt.date(2020, 11, 13), "=[1]Sheet1!A1", "virtual", "=SUM(Z5:Z9)", None, "'=SUM(A1:A3)"]
    # A blank line a drafter left is skipped, but lines still count.
    sheets = {"reviews": [TABLES["reviews"].column_names, [], row], "notes": [["a"]]}
    save_workbook(tmp_path / "regional_reviews/ECE-2020.xlsx", sheets, saved={"G3": "Geneva", "I3": 33})
    rows = read(tmp_path, "reviews").to_pylist()
    assert len(rows) == 1
    review = rows[0]
    assert review["start_date"] == dt.date(2020, 11, 12)
    assert review["venue"] == "Geneva"  # a formula linking another workbook: the value Excel saved with it
    assert review["member_states_participating"] == 33  # a computed number: its saved value, typed
    assert review["stakeholders_participating"] is None
    assert review["outcome_document"] == "=SUM(A1:A3)"  # text that looks like a formula stays text
    assert (review["source_file"], review["source_sheet"], review["source_line"]) == (
        "regional_reviews/ECE-2020.xlsx",
        "reviews",
        3,
    )


def test_a_formula_saved_without_its_value_is_named_by_sheet_line_and_column(tmp_path):
    row = ["ECE-2020", "2020-2021", "Europe and North America", "ECE", "2020-11-12", "2020-11-13", "=A1"]
    save_workbook(tmp_path / "regional_reviews/ECE-2020.xlsx", {"reviews": [TABLES["reviews"].column_names, row]})
    assert problems(tmp_path, "reviews")[-1] == (
        "regional_reviews/ECE-2020.xlsx:reviews line 2, column venue — a formula without the value Excel saves "
        "with it: open the workbook in Excel and save it again"
    )


def test_lists_are_split_and_typed(tmp_path):
    header = "review_id,number,text,objectives\n"
    write(tmp_path / "regional_reviews/review_recommendations.csv", header + 'R1,1,Do more,"2; 5;;"\nR1,2,Do less,\n')
    rows = read(tmp_path, "review_recommendations").to_pylist()
    assert [r["objectives"] for r in rows] == [[2, 5], None]


def test_a_quoted_line_break_keeps_line_numbers_true(tmp_path):
    write(tmp_path / "mptf/contributions.csv", HEADER + '"Two\nlines",,2020,1,1\n\nSpain,ESP,2020,x,1\n')
    assert problems(tmp_path) == [
        "mptf/contributions.csv line 5, column commitment_usd: value 'x' — "
        "not a number (use '.' as the decimal mark and no thousands separator)"
    ]


def test_extra_columns_are_tolerated(tmp_path):
    write(tmp_path / "mptf/targets.csv", "year,capitalization_target_usd,comment\n2021,30000000,agreed\n")
    assert read(tmp_path, "targets").column_names[:2] == ["year", "capitalization_target_usd"]


def test_a_table_without_files_is_empty_not_an_error(tmp_path):
    assert read(tmp_path).num_rows == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "mptf/contributions.csv — the file is empty: it needs at least a header row"),
        (
            (HEADER + "Côte d'Ivoire,CIV,2020,1,1\n").encode("latin-1"),
            "mptf/contributions.csv line 2 — the file is not UTF-8 text: save it as 'CSV UTF-8'",
        ),
        (
            (HEADER + "Germany,DEU,2020,1,1,7\n").encode(),
            "mptf/contributions.csv line 2: value 'Germany,DEU,2020,1,1,7' — the row has 6 fields where the header has 5",
        ),
        (
            b"contributor_iso3,year,commitment_usd,deposit_usd\nDEU,2020,1,1\n",
            "mptf/contributions.csv line 1, column contributor — a required column is missing",
        ),
    ],
)
def test_unreadable_csv_names_the_file_and_line(tmp_path, content, message):
    write(tmp_path / "mptf/contributions.csv", content)
    assert problems(tmp_path) == [message]


@pytest.mark.parametrize(
    ("cell", "column", "rule"),
    [
        ("1,000", "commitment_usd", "not a number (use '.' as the decimal mark and no thousands separator)"),
        ("twelve", "deposit_usd", "not a number (use '.' as the decimal mark and no thousands separator)"),
        ("2020.5", "year", "not a whole number"),
        ("99999999999999999999", "year", "a whole number too large (at most 18 digits)"),
    ],
)
def test_cells_not_of_their_type_are_named(tmp_path, cell, column, rule):
    values = {
        "contributor": "Germany",
        "contributor_iso3": "DEU",
        "year": "2020",
        "commitment_usd": "1",
        "deposit_usd": "1",
    }
    values[column] = f'"{cell}"'
    write(tmp_path / "mptf/contributions.csv", HEADER + ",".join(values.values()) + "\n")
    assert problems(tmp_path) == [f"mptf/contributions.csv line 2, column {column}: value '{cell}' — {rule}"]


def test_a_date_in_another_format_is_named(tmp_path):
    write(tmp_path / "country_networks/champions.csv", "iso3,joined_on,left_on\nKEN,08/06/2021,\nEGY,2021-02-30,\n")
    assert problems(tmp_path, "champions") == [
        "country_networks/champions.csv line 2, column joined_on: value '08/06/2021' — not a date in the form YYYY-MM-DD",
        "country_networks/champions.csv line 3, column joined_on: value '2021-02-30' — not a date in the form YYYY-MM-DD",
    ]


def test_a_corrupt_workbook_is_named(tmp_path):
    write(tmp_path / "regional_reviews/ECE-2020.xlsx", b"PK\x03\x04 not really a workbook")
    assert problems(tmp_path, "reviews") == [
        "regional_reviews/ECE-2020.xlsx — not a readable .xlsx workbook (BadZipFile): open and save it again in Excel"
    ]


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    write(tmp_path / "mptf/contributions.csv", HEADER + "A,,x,1,1\nB,,2020,y,1\n")
    write(tmp_path / "mptf/contributions-b.csv", "")
    assert len(problems(tmp_path)) == 3


def test_a_header_that_names_a_column_twice_is_named(tmp_path):
    write(
        tmp_path / "mptf/contributions.csv", "contributor,year,contributor,commitment_usd,deposit_usd\nA,2021,B,1,1\n"
    )
    assert problems(tmp_path) == ["mptf/contributions.csv line 1 — the header names a column twice: contributor"]


def test_a_plus_sign_before_a_number_is_read(tmp_path):
    write(tmp_path / "mptf/contributions.csv", HEADER + "A,DEU,+2021,+1.5,2\nB,DEU,2021,1,-0.5\n")
    rows = read_sources(find_sources(tmp_path, TABLES["contributions"]), TABLES["contributions"])
    assert rows.problems == []
    assert rows.rows.column("year").to_pylist() == [2021, 2021]
    assert rows.rows.column("commitment_usd").to_pylist() == [1.5, 1.0]


def test_a_lone_carriage_return_and_a_blank_line_do_not_shift_the_lines_named(tmp_path):
    # pyarrow ends a record at a lone CR and skips the blank line: as many line feeds as records, yet C is on line 5.
    body = "A,AAA,2020,1,1\rB,BBB,2021,1,1\n\nC,CCC,2022,x,1\n"
    write(tmp_path / "mptf/contributions.csv", HEADER + body)
    assert problems(tmp_path)[-1].startswith("mptf/contributions.csv line 5, column commitment_usd")
