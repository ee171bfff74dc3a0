import pytest

from assets.report.narrative import NarrativeError, Provenance, Value, render
from tests.conftest import write


def test_placeholders_are_bound_and_remember_their_figure(tmp_path):
    path = write(tmp_path / "draft.md", "# Title\n\n## Heading\n\nThere were {{n}} networks\nas of {{ as_of }}.\n")
    source = Provenance("country_networks", "networks ...", ("country_networks",), ("a.csv",), 52)
    blocks = render(path, {"n": Value("52", source), "as_of": Value("24 June 2021")})
    assert [(b.kind, b.text) for b in blocks] == [
        ("chapter", "Title"),
        ("section", "Heading"),
        ("paragraph", "There were 52 networks as of 24 June 2021."),
    ]
    assert blocks[2].provenances == [source]


def test_bold_directives_and_summary_paragraphs(tmp_path):
    path = write(tmp_path / "s.md", "**Member States are\nencouraged** to act.\n\n{{table:reviews}}\n")
    blocks = render(path, {}, {"table": {"reviews"}}, paragraph_kind="summary")
    assert [(r.text, r.bold) for r in blocks[0].runs] == [("Member States are encouraged", True), (" to act.", False)]
    assert (blocks[1].kind, blocks[1].name) == ("table", "reviews")
    with pytest.raises(NarrativeError, match=r"^s.md line 4: unknown table \{\{table:reviews\}\}; known: none$"):
        render(path, {}, {}, paragraph_kind="summary")


def test_an_unknown_placeholder_names_the_file_and_line(tmp_path):
    path = write(tmp_path / "draft.md", "# Title\n\nThere were\n{{networks}} networks.\n")
    with pytest.raises(
        NarrativeError, match=r"^draft.md line 4: unknown placeholder \{\{networks\}\}; known names: n$"
    ):
        render(path, {"n": Value("52")})


def test_a_broken_placeholder_is_an_error(tmp_path):
    path = write(tmp_path / "draft.md", "There were {{n networks.\n")
    with pytest.raises(NarrativeError, match="draft.md line 1: a placeholder is not closed"):
        render(path, {"n": Value("52")})
