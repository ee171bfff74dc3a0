import datetime as dt

import pytest

from pipeline.languages import un_style


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (17_500_000, "$17.5 million"),
        (17_449_999, "$17.4 million"),
        (17_450_000, "$17.5 million"),
        (30_000_000, "$30 million"),
        (850_000, "$850,000"),
        (849_999.5, "$850,000"),
        (999_950, "$1 million"),
        (1_250_000_000, "$1.3 billion"),
        (0, "$0"),
    ],
)
def test_amounts_in_un_style(amount, text):
    assert un_style.usd(amount) == text


def test_counts_are_digits():
    assert un_style.count(52.0) == "52"
    assert un_style.count(1200) == "1,200"
    with pytest.raises(ValueError):
        un_style.count(2.5)


def test_dates_in_un_style():
    assert un_style.date(dt.date(2021, 6, 4)) == "4 June 2021"


def test_a_missing_figure_is_said_not_blanked():
    assert un_style.figure(None, "usd") == "no figure recorded"
