import pytest

from assets.report.narrative import NarrativeError, Value, render
from tests.conftest import write


def test_placeholders_are_bound_and_remember_their_figure(tmp_path):
    path = write(tmp_path / "draft.md", "# Title\n\n## Heading\n\nThere were {{n}} networks\nas of {{ as_of }}.\n")
    blocks = render(path, {"n": Value("52", "country_networks"), "as_of": Value("24 June 2021")})
    assert [(b.style, b.text) for b in blocks] == [
        ("title", "Title"),
        ("heading", "Heading"),
        ("paragraph", "There were 52 networks as of 24 June 2021."),
    ]
    assert [r.figure for r in blocks[2].runs if r.figure] == ["country_networks"]


def test_an_unknown_placeholder_names_the_file_and_line(tmp_path):
    path = write(tmp_path / "draft.md", "# Title\n\nThere were {{networks}} networks.\n")
    with pytest.raises(
        NarrativeError, match=r"^draft.md line 3: unknown placeholder \{\{networks\}\}; known names: n$"
    ):
        render(path, {"n": Value("52")})


def test_a_broken_placeholder_is_an_error(tmp_path):
    path = write(tmp_path / "draft.md", "There were {{n networks.\n")
    with pytest.raises(NarrativeError, match="draft.md line 1: a placeholder is not closed"):
        render(path, {"n": Value("52")})
