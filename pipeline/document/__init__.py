"""The document writer: the draft as a Word document, from the drafters' words and the derived rows.

drafting.py       the drafts of an edition in the languages asked for: inputs gathered, built, saved
builder.py        one draft: masthead, summary, chapters, tables, charts, footnotes, comments, annexes
narrative.py      the template engine: Markdown and Jinja2 over the derived rows, file and line in errors
facts.py          what the template reads: figures and rows with their provenance, and the filters
charts.py         the charts, drawn with matplotlib in each language's words and fonts
table_layout.py   tables in the UN layout
ooxml.py          Open XML python-docx has no API for: footnotes, right-to-left, comment ids
word_template.py  the Word template's styles and numbering (python -m pipeline.document.word_template)
alignment.py      a translation's template lines up with English's
"""
