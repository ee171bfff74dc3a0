"""The masthead belongs to its date: the General Assembly session in course on it, that session's symbol,
agenda item and provisional agenda (report.toml's [sessions]), in every language."""

import datetime as dt
import shutil

from pipeline.document.drafting import load_config
from pipeline.paths import Template
from pipeline.sessions import opening, session_on
from tests.conftest import TEMPLATE


def test_sessions_open_on_the_days_the_assembly_opened_them():
    # Seventy-third to eightieth sessions: the third week's Tuesday until 2022, the second week's since 2023.
    opened = ["2018-09-18", "2019-09-17", "2020-09-15", "2021-09-14", "2022-09-13", "2023-09-05", "2024-09-10"]
    assert [opening(year).isoformat() for year in range(2018, 2025)] == opened
    assert opening(2025) == dt.date(2025, 9, 9)
    assert session_on(dt.date(2024, 12, 5)) == 79  # A/79/590 is dated 5 December 2024
    assert session_on(dt.date(2021, 12, 27)) == 76  # A/76/642
    assert session_on(dt.date(2021, 6, 24)) == 75
    assert (session_on(dt.date(2024, 9, 9)), session_on(dt.date(2024, 9, 10))) == (78, 79)


def test_the_masthead_shows_the_session_of_its_date_and_what_report_toml_says_of_that_session():
    config = load_config(Template(TEMPLATE), as_of=dt.date(2024, 12, 5))
    assert (config["session"], config["symbol"], config["issued"]) == (
        "Seventy-ninth session",
        "A/79/xxx",
        dt.date(2024, 12, 5),
    )
    assert config["provisional_agenda"] == "A/79/150"  # the bundled report.toml's [sessions."79"]
    earlier = load_config(Template(TEMPLATE), as_of=dt.date(2021, 6, 24))
    assert (earlier["session"], earlier["symbol"]) == ("Seventy-fifth session", "A/75/xxx")
    assert "provisional_agenda" not in earlier
    french = load_config(Template(TEMPLATE), language="fr", as_of=dt.date(2024, 12, 5))
    assert french["session"] == "Soixante-dix-neuvième session" and french["provisional_agenda"] == "A/79/150"


def test_an_issue_date_and_a_known_symbol_take_precedence(tmp_path):
    template = tmp_path / "template"
    shutil.copytree(TEMPLATE, template)
    toml = template / "report.toml"
    assert toml.read_text().rstrip().endswith('provisional_agenda = "A/79/150"')  # the last table: [sessions."79"]
    toml.write_text(toml.read_text().replace('date = ""', 'date = "2025-02-10"') + 'symbol = "A/79/590"\n')
    config = load_config(Template(template), as_of=dt.date(2024, 6, 1))
    # Issued on 10 February 2025, in the seventy-ninth session, whatever the data's date.
    assert (config["issued"], config["session"], config["symbol"]) == (
        dt.date(2025, 2, 10),
        "Seventy-ninth session",
        "A/79/590",
    )
