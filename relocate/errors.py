"""The exceptions relocate raises: one base class, specific subclasses."""

from __future__ import annotations

__all__ = [
    "FeatureTypeError",
    "FetchError",
    "InvalidOptionError",
    "MissingColumnError",
    "NonUniqueIndexError",
    "NotFittedError",
    "OutputError",
    "ProfileError",
    "RelocateError",
    "SourceError",
    "SourceFormatError",
    "UnknownAirportError",
    "UnknownDepartementError",
    "UnknownFeatureError",
    "UnknownSourceError",
    "UnknownVillageError",
]


class RelocateError(Exception):
    """Base class of every error relocate raises on purpose.

    The message is one line that says what is wrong and how to fix it; the
    command line prints it and exits with code 2.
    """

    def __str__(self) -> str:
        # KeyError quotes its message; every subclass reads as plain text.
        return str(self.args[0]) if self.args else ""


class _LookupError(KeyError, RelocateError):
    """A failed look-up: a KeyError whose message prints as plain text, not quoted."""

    __str__ = RelocateError.__str__


class ProfileError(ValueError, RelocateError):
    """A newcomer's profile is missing, unreadable or invalid."""


class UnknownDepartementError(_LookupError):
    """A département code that does not exist in the built-in data."""


class UnknownVillageError(_LookupError):
    """A village name or INSEE code that matches no village, or several."""


class UnknownAirportError(_LookupError):
    """An IATA code that the airports source does not know."""


class UnknownFeatureError(_LookupError):
    """A feature name that no source of the catalogue declares."""


class UnknownSourceError(_LookupError):
    """A data source name that relocate does not know."""


class MissingColumnError(_LookupError):
    """A table handed to a stage lacks a column that stage needs."""


class NonUniqueIndexError(ValueError, RelocateError):
    """A table handed to a stage names one village (INSEE code) on several rows."""


class FeatureTypeError(TypeError, RelocateError):
    """A feature column handed to a stage is not of the type its unit says (text for numbers)."""


class NotFittedError(ValueError, RelocateError):
    """A model was asked for what only fitting gives it."""


class SourceError(OSError, RelocateError):
    """A data source could not be read."""


class SourceFormatError(ValueError, RelocateError):
    """A data file is not in the format its source publishes (names file, line and column)."""


class FetchError(SourceError):
    """A download failed; the previous edition in the cache, if any, is kept."""


class OutputError(OSError, RelocateError):
    """An output file could not be written (the previous one, if any, is intact)."""


class InvalidOptionError(ValueError, RelocateError):
    """An option or setting has a value relocate cannot use."""
