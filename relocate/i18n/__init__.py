"""Words and numbers in the reader's language: gettext catalogues and Babel's formats.

Messages are written in English in the code, marked for extraction (``tr._("...")``,
``tr.ngettext(...)``, ``N_("...")`` for texts declared before a language is known),
and translated in the message catalogues under ``relocate/i18n/locale/`` (``.po``
files, extracted and updated with Babel: ``make messages``). The catalogues are
compiled in memory on first use. Numbers, percentages, dates, times and day names
are formatted by Babel in the chosen locale (``fr_FR``: ``1,3``, ``22 428``,
``25 %``, ``lundi 7 décembre``, ``9 h – 12 h``).

English is the language of the code: its catalogue is the messages themselves.
"""

from __future__ import annotations

import functools
import gettext
import io
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from importlib import resources

from babel import Locale
from babel.dates import format_date, format_time, get_day_names
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from relocate.declare import DEFAULT_LANGUAGE, LANGUAGES, check_language

__all__ = [
    "DEFAULT_LANGUAGE",
    "DOMAIN",
    "LANGUAGES",
    "LOCALES",
    "N_",
    "Translator",
    "catalogue_path",
    "in_sentence",
    "terminal_language",
    "translator",
]

#: The gettext domain of relocate's messages.
DOMAIN = "relocate"
#: The Babel locale of each language.
LOCALES: dict[str, str] = {"fr": "fr_FR", "en": "en_GB"}


#: A ``: ; ? !`` that ends a word and is followed by a space (not the colon of a URL).
_FRENCH_SPACE = re.compile(r"(?<=[^\s\u00a0\u202f])([:;?!])(?=\s|$)")


def N_(message: str) -> str:
    """Mark a message for extraction, to be translated later (``tr._(message)``)."""
    return message


def in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: its capital dropped, unless it starts an acronym.

    The page script does the same (``lowerFirst`` in ``outputs/static/controls.js``).

    Examples
    --------
    >>> in_sentence("Trajet vers l’école élémentaire la plus proche")
    'trajet vers l’école élémentaire la plus proche'
    >>> in_sentence("TLS drive")
    'TLS drive'
    """
    if len(label) > 1 and label[1] == label[1].lower():
        return label[0].lower() + label[1:]
    return label


def catalogue_path(lang: str) -> str:
    """The ``.po`` file of a language, inside the package."""
    return f"locale/{lang}/LC_MESSAGES/{DOMAIN}.po"


@functools.cache
def _translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of a language (English: the messages themselves)."""
    if lang == "en":
        return gettext.NullTranslations()
    source = resources.files("relocate.i18n") / catalogue_path(lang)
    with source.open("rb") as handle:
        catalog = read_po(handle, locale=LOCALES[lang], domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@dataclass(frozen=True)
class Translator:
    r"""Messages, numbers and dates in one language.

    Examples
    --------
    >>> fr = translator("fr")
    >>> fr.number(1.3, digits=1), fr.number(22428)
    ('1,3', '22\u202f428')
    >>> fr.percent(0.25)
    '25\xa0%'
    >>> fr.long_date(date(2026, 12, 7))
    'lundi 7 décembre'
    >>> fr.time_range(time(9), time(12))
    '9\xa0h\u2009–\u200912\xa0h'
    >>> translator("en").time_range(time(9), time(12, 30))
    '09:00\u2009–\u200912:30'
    """

    lang: str

    @property
    def locale(self) -> str:
        """The Babel locale (``fr_FR``)."""
        return LOCALES[self.lang]

    def _(self, message: str) -> str:
        """A message in this language."""
        return _translations(self.lang).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """A message that agrees with a count."""
        return _translations(self.lang).ngettext(singular, plural, n)

    def number(self, value: float, *, digits: int = 0) -> str:
        """A number with ``digits`` decimals, grouped as the locale writes it."""
        pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def decimal(self, value: float, *, max_digits: int = 2) -> str:
        """A number with up to ``max_digits`` decimals, grouped (``1,3``, ``70``, ``1 500``)."""
        pattern = "#,##0" + ("." + "#" * max_digits if max_digits > 0 else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def punctuate(self, text: str) -> str:
        r"""A text given once for every language, spaced as the language writes ``: ; ? !``.

        French puts a no-break space before them (``Base GASPAR\u00a0: catastrophes``).

        Examples
        --------
        >>> translator("fr").punctuate("Base GASPAR: risques; https://x.fr")
        'Base GASPAR\xa0: risques\xa0; https://x.fr'
        >>> translator("en").punctuate("Base GASPAR: risques")
        'Base GASPAR: risques'
        """
        if self.lang != "fr":
            return text
        return _FRENCH_SPACE.sub("\u00a0\\1", text)

    def join(self, items: Sequence[str]) -> str:
        """Items as the locale lists them: ``a, b et c``, ``a, b and c``."""
        return str(format_list(list(items), locale=self.locale)) if items else ""

    def percent(self, share: float) -> str:
        """A share (0-1) as a whole percentage (``25 %``)."""
        return format_percent(share, locale=self.locale)

    def long_date(self, day: date, *, year: bool = False) -> str:
        """``lundi 7 décembre`` / ``Monday 7 December`` (with the year if asked)."""
        return self._date(day, "EEEE d MMMM" + (" y" if year else ""))

    def day_month_year(self, day: date) -> str:
        """A date without its weekday: ``28 mars 2026``, ``1er mars 2026``, ``28 March 2026``."""
        return self._date(day, "d MMMM y")

    def _date(self, day: date, pattern: str) -> str:
        # French writes the first of the month as an ordinal (1er), which CLDR does not.
        if self.lang == "fr" and day.day == 1:
            pattern = pattern.replace("d MMMM", "d'er' MMMM")
        return str(format_date(day, pattern, locale=self.locale))

    def clock(self, moment: time) -> str:
        """A time of day: ``9 h``, ``9 h 30`` in French, ``09:30`` in English."""
        if self.lang == "fr":
            pattern = "H' h'" if moment.minute == 0 else "H' h 'mm"
            return format_time(moment, pattern, locale=self.locale).replace(" ", "\u00a0")
        return format_time(moment, "HH:mm", locale=self.locale)

    def time_range(self, start: time, end: time) -> str:
        """An interval of times, joined as the locale joins intervals."""
        join = Locale.parse(self.locale).interval_formats.get(None, "{0}–{1}")
        return str(join).replace("{0}", self.clock(start)).replace("{1}", self.clock(end))

    def day_name(self, weekday: int, *, short: bool = False) -> str:
        """The name of a day (0 = Monday): ``lundi`` / ``lun.``."""
        names = get_day_names("abbreviated" if short else "wide", locale=self.locale)
        return str(names[weekday])


def terminal_language(environ: Mapping[str, str] | None = None) -> str:
    """The language of the user's terminal: French where its locale is French, else English.

    The locale is the first of ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set,
    as gettext reads it.

    Examples
    --------
    >>> terminal_language({"LANG": "fr_FR.UTF-8"}), terminal_language({"LANG": "C.UTF-8"})
    ('fr', 'en')
    """
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            code = value.split(".")[0].split("_")[0].lower()
            return code if code in LANGUAGES else "en"
    return "en"


@functools.cache
def translator(lang: str = DEFAULT_LANGUAGE) -> Translator:
    """The translator of a language.

    Raises
    ------
    InvalidOptionError
        If relocate does not write in ``lang``.
    """
    return Translator(check_language(lang))
