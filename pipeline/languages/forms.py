"""How a draft says its figures in each of the six official languages: amounts, counts, shares,
dates, lists, changes and the session's ordinal name.

English keeps the forms of un_style.py. The other five take CLDR's data through Babel (decimal
mark, grouping, month names, list patterns, plural categories) and follow the UN's own documents
where those were found to differ (see LANGUAGES' sources). A figure is rounded as in English
before it is said, so that every language states the same number.

The draft being built says which language is spoken (`speaking`); the filters and facts ask
`style()`, so that the template's words and the rows' numbers meet in one place.

Longer than most modules: most of it is each language's words around a number (`Words`), the data of
the five languages, kept beside the forms that use them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

from babel import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal
from num2words import num2words

from pipeline.languages import un_style
from pipeline.languages.official import LANGUAGES as OFFICIAL

NBSP = "\u00a0"
NNBSP = "\u202f"
FRENCH_BEFORE = re.compile(r"[ \u00a0]([:;!?%])")
DEFAULT = "en"


_round = un_style._round  # the same rounding as English's, so every language states the same number


class English:
    """The forms of un_style.py, unchanged."""

    code, right_to_left = "en", False

    def figure(self, value, unit):
        return self.count(value) if unit == "count" and value is not None else un_style.figure(value, unit)

    def count(self, value):
        # The Editorial Manual: numbers under 10 in words in running text, figures in tables.
        if _running.get() and value == int(value) and 0 <= value < 10:
            return un_style.ONES[int(value)]
        return un_style.count(value)

    def usd(self, value):
        return un_style.usd(value)

    def share(self, value):
        return un_style.share(value)

    def date(self, day):
        return un_style.date(day)

    def date_range(self, start, end):
        return un_style.date_range(start, end)

    def series(self, items):
        return un_style.series(items)

    def change(self, now, before, unit):
        return un_style.change(now, before, unit)

    def plural(self, value, one, many=None, **forms):
        return f"{self.count(value)} {one if value == 1 else many or forms.get('other', one)}"

    def session(self, number: int) -> str:
        return f"{un_style.ordinal(number)} session"

    def finish(self, text: str) -> str:
        """The language's typography over a finished text (French: its narrow no-break spaces)."""
        return text

    def heading_number(self, level: int, number: int) -> str | None:
        """A chapter's (level 1) or section's (level 2) number as literal text, where Word's numbering cannot
        write it; None: Word numbers it (I., A.)."""
        return None


@dataclass(frozen=True)
class Words:
    """What a language puts around a number: its currency phrase by scale, its share, and how a figure moved."""

    billion: tuple[str, str]  # (one, many) "{n} milliard de dollars" / "{n} milliards de dollars"
    million: tuple[str, str]
    dollars: str  # below a million: "{n} dollars"
    percent: str  # "{n} %"
    up: str  # "en hausse de {amount}"
    down: str
    unchanged: str
    points: tuple[str, str]  # percentage points, (one, many)
    was: str  # a number that names something: "était {n}"
    not_in_either: str
    not_before: str
    no_longer: str
    session: str  # "{ordinal} session"
    no_figure: str
    # How many of the scale word a billion and a million are: 10 亿 and 100 万 in Chinese; 1 elsewhere.
    per: tuple[int, int] = (1, 1)


class Babel(English):
    """A language said with CLDR's data (Babel), in the forms of `words`."""

    def __init__(self, code: str, words: Words, group: str | None = None):
        self.code, self.words, self.group = code, words, group

    # CLDR's data is read when a draft in the language first needs it, not when the code loads.
    @functools.cached_property
    def locale(self) -> Locale:
        return Locale.parse(self.code)

    @functools.cached_property
    def right_to_left(self) -> bool:
        return self.locale.text_direction == "rtl"

    def number(self, value: Decimal | float | int, places: int = 1) -> str:
        pattern = "#,##0" + ("." + "#" * places if places else "")
        # Western digits in every language: the UN's Arabic documents use them (see LANGUAGES).
        text = format_decimal(value, format=pattern, locale=self.locale, numbering_system="latn")
        if self.group is not None:
            text = text.replace(self.locale.number_symbols["latn"]["group"], self.group)
        return text

    def count(self, value) -> str:
        if value != int(value):
            raise ValueError(f"a count must be a whole number: {value}")
        return self.number(int(value), 0)

    def _scaled(self, forms: tuple[str, str], amount: Decimal) -> str:
        return (forms[0] if amount < 2 else forms[1]).format(n=self.number(amount))

    def usd(self, value: float) -> str:
        if value < 0:
            raise ValueError(f"an amount cannot be negative: {value}")
        billions, millions = self.words.per
        for scale, forms, per in ((1e9, self.words.billion, billions), (1e6, self.words.million, millions)):
            scaled = _round(value / scale, "0.1")  # rounded as in English first ($17.5 million: 1,750万美元)
            if scaled >= 1:
                return self._scaled(forms, scaled * per).replace(" ", NBSP)  # an amount is never broken
        return self.words.dollars.format(n=self.number(_round(value, "1"), 0)).replace(" ", NBSP)

    def share(self, value: float) -> str:
        return self.words.percent.format(n=self.number(_round(100 * value, "0.1")))

    def figure(self, value, unit):
        if value is None:
            return self.words.no_figure
        if unit == "number":
            return un_style.number(value)
        return {"usd": self.usd, "count": self.count, "percent": self.share}[unit](value)

    def date(self, day: dt.date) -> str:
        return format_date(day, format="long", locale=self.locale)

    def date_range(self, start, end):
        """`12–13 novembre 2020`, `31 août–1er septembre 2021`: the month and year said once, as the UN's
        documents do (CLDR's interval formats fall back to abbreviated months here)."""
        if start == end:
            return self.date(start)
        if start.year != end.year:
            return f"{self.date(start)}–{self.date(end)}"
        if start.month == end.month:
            return f"{self._day(start)}–{self.date(end)}"
        return f"{self._without_year(start)}–{self.date(end)}"

    def _day(self, day: dt.date) -> str:
        return self._without_year(day).split()[0]

    def _without_year(self, day: dt.date) -> str:
        words = self.date(day).split()
        while words and (words[-1] == str(day.year) or words[-1] in YEAR_WORDS):
            words.pop()
        return " ".join(words)

    def series(self, items):
        return format_list(list(items), locale=self.locale) if items else ""

    def change(self, now, before, unit):
        w = self.words
        if before is None and now is None:
            return w.not_in_either
        if before is None:
            return w.not_before
        if now is None:
            return w.no_longer
        now, before = un_style.as_shown(now, unit), un_style.as_shown(before, unit)
        if now == before:
            return w.unchanged
        moved = float(abs(now - before))
        if unit == "usd":
            amount = self.usd(moved)
        elif unit == "percent":
            points = _round(100 * moved, "0.1")
            # One point or many by CLDR's category: French says "1,5 point" (one covers 0 to 2).
            amount = w.points[self.locale.plural_form(points) != "one"].format(n=self.number(points))
        elif unit == "number":
            return w.was.format(n=un_style.number(before))
        else:
            amount = self.count(moved)
        return (w.up if now > before else w.down).format(amount=amount)

    def plural(self, value, one, many=None, **forms):
        """`plural('jour', 'jours')`, or by CLDR category: `plural(one='день', few='дня', many='дней')`."""
        category = self.locale.plural_form(value)
        given = {"one": one, "other": many or forms.get("other", one), **forms}
        return f"{self.count(value)} {given.get(category, given['other'])}"

    def session(self, number: int) -> str:
        return self.words.session.format(ordinal=self.ordinal(number))

    ordinal_options: dict = {}  # what num2words needs besides the language (Russian: the gender)

    def ordinal(self, number: int) -> str:
        text = num2words(number, lang=self.code, to="ordinal", **self.ordinal_options)
        return text[0].upper() + text[1:]


YEAR_WORDS = ("de", "года")  # what stands around the year in a long date: "de 2020", "2020 года"


class French(Babel):
    def ordinal(self, number):
        # "Quatre-vingts" drops its s before a suffix: "quatre-vingtième", not num2words' "quatre-vingtsième".
        return super().ordinal(number).replace("vingtsième", "vingtième")

    def finish(self, text):
        # The French Translation Service's typography: a narrow no-break space before : ; ! ? and %, and inside
        # guillemets; never a line broken there.
        text = FRENCH_BEFORE.sub(lambda m: NNBSP + m.group(1), text)
        return text.replace("« ", "«" + NNBSP).replace(" »", NNBSP + "»")

    def date(self, day):
        # The first of the month is "1er" in French (the UN's French documents: "1er janvier").
        text = super().date(day)
        return text.replace("1 ", "1er ", 1) if day.day == 1 else text


class Spanish(Babel):
    def ordinal(self, number):
        # Before a noun, "primero" and "tercero" lose their last vowel: "octogésimo primer período".
        text = super().ordinal(number)
        return text[:-1] if text.lower().endswith(("primero", "tercero")) else text


class Russian(Babel):
    ordinal_options = {"gender": "f"}  # сессия is feminine

    def ordinal(self, number):
        # The UN's Russian documents print е for ё: "Семьдесят четвертая сессия".
        return super().ordinal(number).replace("ё", "е")

    def share(self, value):
        # "12,5 процента": the UN's Russian documents spell the per cent out, agreeing with the number (by
        # CLDR's plural category: "few" and a fraction's "other" take процента).
        points = _round(100 * value, "0.1")
        form = self.locale.plural_form(int(points) if points == int(points) else points)
        word = {"one": "процент", "many": "процентов"}.get(form, "процента")
        return f"{self.number(points)} {word}"

    def date(self, day):
        return f"{format_date(day, format='d MMMM y', locale=self.locale)} года"


CHINESE_DIGITS = "零一二三四五六七八九"


class Chinese(Babel):
    def date(self, day):
        return f"{day.year}年{day.month}月{day.day}日"

    def date_range(self, start, end):
        if start == end or start.year != end.year:
            return super().date_range(start, end) if start == end else f"{self.date(start)}至{self.date(end)}"
        said = f"{end.day}日" if start.month == end.month else f"{end.month}月{end.day}日"
        return f"{self.date(start)}至{said}"

    def plural(self, value, one, many=None, **forms):
        return f"{self.count(value)}{forms.get('other', many or one)}"

    def ordinal(self, number):
        if not 0 < number < 100:
            raise ValueError(f"a session number from 1 to 99: {number}")
        tens, units = divmod(number, 10)
        text = ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十" if tens else ""
        return text + (CHINESE_DIGITS[units] if units else "")


# The UN's Arabic month names: the Levantine name, then the Egyptian (un.org/ar: "4 حزيران/يونيه 2008").
ARABIC_MONTHS = (
    "كانون الثاني/يناير",
    "شباط/فبراير",
    "آذار/مارس",
    "نيسان/أبريل",
    "أيار/مايو",
    "حزيران/يونيه",
    "تموز/يوليه",
    "آب/أغسطس",
    "أيلول/سبتمبر",
    "تشرين الأول/أكتوبر",
    "تشرين الثاني/نوفمبر",
    "كانون الأول/ديسمبر",
)
# Feminine ordinals, as "الدورة الحادية والسبعون" (the seventy-first session) in the UN's Arabic documents.
ARABIC_UNITS = ("", "الحادية", "الثانية", "الثالثة", "الرابعة", "الخامسة", "السادسة", "السابعة", "الثامنة", "التاسعة")
ARABIC_TENS = ("", "العاشرة", "العشرون", "الثلاثون", "الأربعون", "الخمسون", "الستون", "السبعون", "الثمانون", "التسعون")


ARABIC_CHAPTERS = "أولا ثانيا ثالثا رابعا خامسا سادسا سابعا ثامنا تاسعا عاشرا".split()
ARABIC_SECTIONS = "ألف باء جيم دال هاء واو زاي حاء طاء ياء".split()


class Arabic(Babel):
    def _scaled(self, forms, amount):
        # "9 ملايين دولار": three to ten take the plural of million and billion (CLDR's "few"); 11 and more, and
        # fractions ("7.3 مليون"), the singular.
        text = super()._scaled(forms, amount)
        if amount == int(amount) and 3 <= amount <= 10:
            text = text.replace("مليون", "ملايين").replace("مليار", "مليارات")
        return text

    def heading_number(self, level, number):
        # UN Arabic documents number chapters "أولا -", "ثانيا -" and sections "ألف -", "باء -": words no Word
        # number format gives.
        words = ARABIC_CHAPTERS if level == 1 else ARABIC_SECTIONS
        return f"{words[number - 1]} - "

    def date(self, day):
        return f"{day.day} {ARABIC_MONTHS[day.month - 1]} {day.year}"

    def ordinal(self, number):
        tens, units = divmod(number, 10)
        if not 20 <= number < 100:
            raise ValueError(f"a session number from 20 to 99: {number}")
        return ARABIC_TENS[tens] if not units else f"{ARABIC_UNITS[units]} و{ARABIC_TENS[tens]}"


LANGUAGES: dict[str, English] = {
    "en": English(),
    # French: the UN's French Translation Service manual; CLDR's narrow no-break space groups thousands.
    "fr": French(
        "fr",
        Words(
            billion=("{n} milliard de dollars", "{n} milliards de dollars"),
            million=("{n} million de dollars", "{n} millions de dollars"),
            dollars="{n} dollars",
            percent="{n}" + NNBSP + "%",
            up="en hausse de {amount}",
            down="en baisse de {amount}",
            unchanged="inchangé",
            points=("{n} point de pourcentage", "{n} points de pourcentage"),
            was="auparavant {n}",
            not_in_either="non indiqué dans l'un ni l'autre",
            not_before="non indiqué dans le rapport précédent",
            no_longer="n'est plus indiqué",
            session="{ordinal} session",
            no_figure="aucun chiffre enregistré",
        ),
    ),
    # Spanish: decimal comma, thousands by a fixed space (not CLDR's point), "1%" without a space.
    "es": Spanish(
        "es",
        Words(
            billion=("{n} mil millones de dólares", "{n} mil millones de dólares"),
            million=("{n} millón de dólares", "{n} millones de dólares"),
            dollars="{n} dólares",
            percent="{n}%",
            up="un aumento de {amount}",
            down="una disminución de {amount}",
            unchanged="sin cambios",
            points=("{n} punto porcentual", "{n} puntos porcentuales"),
            was="antes {n}",
            not_in_either="no figura en ninguno",
            not_before="no figuraba en el informe anterior",
            no_longer="ya no figura",
            session="{ordinal} período de sesiones",
            no_figure="ninguna cifra registrada",
        ),
        group=NBSP,
    ),
    # Russian: "млн долл. США", "процента" as the UN's Russian documents write them.
    "ru": Russian(
        "ru",
        Words(
            billion=("{n} млрд долл. США", "{n} млрд долл. США"),
            million=("{n} млн долл. США", "{n} млн долл. США"),
            dollars="{n} долл. США",
            percent="{n} процента",
            up="рост на {amount}",
            down="снижение на {amount}",
            unchanged="без изменений",
            points=("{n} процентного пункта", "{n} процентного пункта"),
            was="ранее {n}",
            not_in_either="не указано ни в одном",
            not_before="не указано в предыдущем докладе",
            no_longer="больше не указано",
            session="{ordinal} сессия",
            no_figure="данные отсутствуют",
        ),
    ),
    "zh": Chinese(
        "zh",
        Words(
            billion=("{n}亿美元", "{n}亿美元"),
            million=("{n}万美元", "{n}万美元"),
            dollars="{n}美元",
            percent="{n}%",
            up="增加{amount}",
            down="减少{amount}",
            unchanged="没有变化",
            points=("{n}个百分点", "{n}个百分点"),
            was="此前为{n}",
            not_in_either="两份报告均未列出",
            not_before="上一份报告未列出",
            no_longer="不再列出",
            session="第{ordinal}届会议",
            no_figure="无记录数字",
            per=(10, 100),  # 万 (10^4) and 亿 (10^8) carry the scale
        ),
    ),
    # Arabic: Western digits, as in the UN's Arabic documents; CLDR's decimal point and per cent sign.
    "ar": Arabic(
        "ar",
        Words(
            billion=("{n} مليار دولار", "{n} مليار دولار"),
            million=("{n} مليون دولار", "{n} مليون دولار"),
            dollars="{n} دولار",
            percent="{n} في المائة",  # as the UN's Arabic documents say it
            up="بزيادة قدرها {amount}",
            down="بانخفاض قدره {amount}",
            unchanged="دون تغيير",
            points=("{n} نقطة مئوية", "{n} نقطة مئوية"),
            was="كان {n}",
            not_in_either="غير مذكور في أي منهما",
            not_before="غير مذكور في التقرير السابق",
            no_longer="لم يعد مذكورا",
            session="الدورة {ordinal}",
            no_figure="لا يوجد رقم مسجل",
        ),
    ),
}
assert tuple(LANGUAGES) == OFFICIAL, "a way of saying figures for each official language, in their order"

_speaking: ContextVar[English] = ContextVar("sgr_language")
_running: ContextVar[bool] = ContextVar("sgr_running_text", default=False)


def style() -> English:
    """The language of the draft being built (English when none is)."""
    return _speaking.get(LANGUAGES[DEFAULT])


@contextlib.contextmanager
def speaking(code: str):
    token = _speaking.set(LANGUAGES[code])
    try:
        yield LANGUAGES[code]
    finally:
        _speaking.reset(token)


@contextlib.contextmanager
def running_text():
    """What is said inside is running text (a paragraph), not a table's cell or a note: English says its
    counts under 10 in words. The other languages' rules come with their catalogues (their counts stay
    figures: a word would have to agree with its noun's gender)."""
    token = _running.set(True)
    try:
        yield
    finally:
        _running.reset(token)
