"""The template engine on small templates: placeholders, loops, conditions, bold, directives, and errors
that name the file and line."""

import pytest

from pipeline.catalogue import REPORT_TABLES
from pipeline.document.facts import Fact, Provenance
from pipeline.document.narrative import Narrative, NarrativeError
from tests.conftest import write

SOURCE = Provenance("country_networks", "networks ...", ("country_networks",), ("a.csv",), 52, figure=True)


def render(tmp_path, text: str, context: dict | None = None, directives=None, kind="paragraph"):
    path = write(tmp_path / "draft.md", text)
    return Narrative(context or {}, directives or {}).render(path, "draft.md", kind)


def test_placeholders_are_bound_and_remember_their_figure(tmp_path):
    context = {"n": Fact(52.0, "count", SOURCE), "as_of": "24 June 2021"}
    blocks = render(tmp_path, "# Title\n\n## Heading\n\nThere were {{n}} networks\nas of {{ as_of }}.\n", context)
    assert [(b.kind, b.text) for b in blocks] == [
        ("chapter", "Title"),
        ("section", "Heading"),
        ("paragraph", "There were 52 networks as of 24 June 2021."),
    ]
    assert blocks[2].provenances == [SOURCE]
    assert [r.text for r in blocks[2].runs] == ["There were ", "52", " networks as of 24 June 2021."]


def test_bold_directives_and_summary_paragraphs(tmp_path):
    blocks = render(
        tmp_path,
        "**Member States are\nencouraged** to act.\n\n{{table:reviews}}\n",
        {},
        {"table": {"reviews"}},
        "summary",
    )
    assert [(r.text, r.bold) for r in blocks[0].runs] == [("Member States are encouraged", True), (" to act.", False)]
    assert (blocks[1].kind, blocks[1].name, blocks[1].source) == ("table", "reviews", "draft.md line 4")
    with pytest.raises(NarrativeError, match=r"^draft.md line 4: unknown table \{\{table:reviews\}\}; known: none$"):
        render(tmp_path, "**Member States are\nencouraged** to act.\n\n{{table:reviews}}\n", {}, {}, "summary")


def test_loops_and_conditions_make_paragraphs_that_keep_their_source_line(tmp_path):
    text = (
        "Intro {{ n }}.\n"
        "{% for x in items %}\n"
        "Item {{ x }}\n"
        "{% if x == 2 %}\n"
        "is two.\n"
        "{% endif %}\n"
        "\n"
        "{% endfor %}\n"
        "Last {{ items | length }}{% if false %} never{% endif %}.\n"
    )
    blocks = render(tmp_path, text, {"n": 1, "items": [1, 2]})
    assert [(b.text, b.source) for b in blocks] == [
        ("Intro 1. Item 1", "draft.md line 1"),
        ("Item 2 is two.", "draft.md line 3"),
        ("Last 2.", "draft.md line 9"),
    ]


def test_an_unknown_placeholder_names_the_file_and_line_even_in_a_branch_not_taken(tmp_path):
    with pytest.raises(
        NarrativeError, match=r"^draft.md line 4: unknown placeholder \{\{networks\}\}; known names: n$"
    ):
        render(tmp_path, "# Title\n\nThere were\n{% if false %}{{networks}}{% endif %} networks.\n", {"n": 1})


def test_a_field_a_row_does_not_have_names_the_line(tmp_path):
    context = {"next_deadline": None, "rows": [Fact(1.0, "count")]}
    with pytest.raises(NarrativeError, match=r"^draft.md line 2: .*has no attribute 'title'"):
        render(tmp_path, "First.\n{% for r in rows %}{{ r.title }}{% endfor %}\n", context)


def test_a_broken_placeholder_is_an_error(tmp_path):
    with pytest.raises(NarrativeError, match="draft.md line 1: a placeholder is not closed"):
        render(tmp_path, "There were {{n networks.\n", {"n": 1})
    with pytest.raises(NarrativeError, match="draft.md line 3: bold is not closed"):  # the paragraph's first line
        render(tmp_path, "A line.\n\n**Bold without\nits pair.\n", {})


def test_a_missing_figure_is_said_not_blanked(tmp_path):
    blocks = render(tmp_path, "The target was {{ t }}.\n", {"t": Fact(None, "usd", SOURCE)})
    assert blocks[0].text == "The target was no figure recorded."


def test_a_sentence_can_leave_out_a_figure_without_a_value(tmp_path):
    text = "The target was{% if t is stated %} {{ t }}{% else %} not set{% endif %}; {{ n }}{% if n is stated %}!{% endif %}\n"
    blocks = render(tmp_path, text, {"t": Fact(None, "usd", SOURCE), "n": Fact(0.0, "count")})
    assert blocks[0].text == "The target was not set; zero!"  # zero is a value; only a missing figure is left out


def test_filters_say_counts_lists_and_objectives_in_un_style(tmp_path):
    text = (
        "{{ [a | plural('challenge', 'challenges'), b | plural('priority', 'priorities')] | reject('zero') | series }};\n"
        "{{ [2, 5, 12] | series }}; {% for o in [12, 18] %}objective {{ o }}{{ loop | sep }}{% endfor %}: "
        "{{ 18 | objective }};\n"
        "{{ c | plural('row', 'rows') }}.\n"
    )
    blocks = render(tmp_path, text, {"a": Fact(0.0, "count"), "b": Fact(3.0, "count", SOURCE), "c": 1})
    # Under 10 in words in running text (the Editorial Manual); references stay figures; objectives by their titles.
    assert blocks[0].text == (
        "three priorities; 2, 5 and 12; objective 12 and objective 18: Invest in skills development and facilitate "
        "mutual recognition of skills, qualifications and competences; one row."
    )
    assert blocks[0].provenances == [SOURCE]  # the list keeps the figure's provenance


def test_every_table_with_columns_can_be_placed_and_every_cell_names_a_field():
    from pipeline.document.facts import CELL_WORDS
    from pipeline.document.narrative import names_in

    for table in REPORT_TABLES.values():
        fields = {f.name for f in table.fields} | set(CELL_WORDS)
        for column in table.columns:
            assert set(names_in(column.template)) <= fields, (table.name, column.header)


def test_a_line_ending_in_a_tag_keeps_its_end(tmp_path):
    """Jinja's trim_blocks would join the next line (and its line mark) to a line ending in `{% endif %}`."""
    text = "covering {% if n == 5 %}all {{ n }}{% else %}{{ n }} of five{% endif %}\nthematic areas.\n"
    blocks = render(tmp_path, text, {"n": Fact(5.0, "count", SOURCE)})
    assert blocks[0].text == "covering all five thematic areas."
