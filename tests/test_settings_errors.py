"""Settings, the drive-time model and the exception hierarchy."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from relocate import errors
from relocate.errors import (
    FeatureTypeError,
    FetchError,
    InvalidOptionError,
    MissingColumnError,
    NonUniqueIndexError,
    NotFittedError,
    OutputError,
    ProfileError,
    RelocateError,
    SourceError,
    SourceFormatError,
    UnknownAirportError,
    UnknownDepartementError,
    UnknownFeatureError,
    UnknownSourceError,
    UnknownVillageError,
)
from relocate.features import DriveTimeModel
from relocate.settings import DEFAULT_AIRPORTS, Settings, default_cache_dir

# --- Settings ------------------------------------------------------------------------------


def test_default_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELOCATE_CACHE_DIR", str(tmp_path))
    settings = Settings()
    assert settings.departement == "32"
    assert settings.airports == DEFAULT_AIRPORTS == ("TLS", "AGF")
    assert settings.town_min_population == 2000
    assert settings.drive_model == DriveTimeModel(detour_factor=1.3, speed_kmh=70.0)
    assert settings.cache_dir == tmp_path


def test_airports_and_departement_are_normalised() -> None:
    settings = Settings(departement=" 2a ", airports=(" tls", "puf ", "Agf"))
    assert settings.airports == ("TLS", "PUF", "AGF")
    assert settings.departement == "2A"


@pytest.mark.parametrize("airports", [("TLS", "tls"), ("AGF", "TLS", " agf ")])
def test_duplicate_airports_are_rejected(airports: tuple[str, ...]) -> None:
    with pytest.raises(InvalidOptionError, match="listed twice"):
        Settings(airports=airports)


def test_no_airport_is_rejected() -> None:
    with pytest.raises(InvalidOptionError, match="at least one airport"):
        Settings(airports=())


@pytest.mark.parametrize("airports", [("",), ("TLS", "  ")])
def test_blank_airport_code_is_rejected(airports: tuple[str, ...]) -> None:
    with pytest.raises(InvalidOptionError):
        Settings(airports=airports)


@pytest.mark.parametrize("value", [0, -1, -2000])
def test_town_min_population_must_be_positive(value: int) -> None:
    with pytest.raises(InvalidOptionError, match=f"got {value}"):
        Settings(town_min_population=value)


def test_town_min_population_of_one_is_valid() -> None:
    assert Settings(town_min_population=1).town_min_population == 1


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.departement = "47"  # type: ignore[misc]


def test_settings_need_keywords() -> None:
    with pytest.raises(TypeError):
        Settings("32")  # type: ignore[misc]


def test_default_cache_dir_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELOCATE_CACHE_DIR", str(tmp_path / "cache"))
    assert default_cache_dir() == tmp_path / "cache"
    monkeypatch.setenv("RELOCATE_CACHE_DIR", "~/relocate-fixture-cache")
    assert default_cache_dir() == Path.home() / "relocate-fixture-cache"
    monkeypatch.delenv("RELOCATE_CACHE_DIR")
    assert default_cache_dir().name == "relocate"
    monkeypatch.setenv("RELOCATE_CACHE_DIR", "")
    assert default_cache_dir().name == "relocate"


# --- exceptions ----------------------------------------------------------------------------

HIERARCHY: dict[type[Exception], type[Exception]] = {
    RelocateError: Exception,
    ProfileError: ValueError,
    InvalidOptionError: ValueError,
    UnknownDepartementError: KeyError,
    UnknownVillageError: KeyError,
    UnknownAirportError: KeyError,
    MissingColumnError: KeyError,
    SourceError: OSError,
    OutputError: OSError,
    FetchError: OSError,
    SourceFormatError: ValueError,
    UnknownSourceError: KeyError,
    UnknownFeatureError: KeyError,
    NonUniqueIndexError: ValueError,
    FeatureTypeError: TypeError,
    NotFittedError: ValueError,
}


def test_hierarchy_covers_every_exported_exception() -> None:
    assert {cls.__name__ for cls in HIERARCHY} == set(errors.__all__)


@pytest.mark.parametrize(("cls", "builtin"), HIERARCHY.items(), ids=[c.__name__ for c in HIERARCHY])
def test_every_error_is_a_relocate_error_and_its_builtin(
    cls: type[Exception], builtin: type[Exception]
) -> None:
    assert issubclass(cls, RelocateError)
    assert issubclass(cls, builtin)
    message = "village 'Village A' (99001) is wrong; fix it"
    error = cls(message)
    # One plain line: not quoted like a KeyError, no repr.
    assert str(error) == message
    with pytest.raises(builtin):
        raise error
    with pytest.raises(RelocateError):
        raise error


@pytest.mark.parametrize("cls", list(HIERARCHY), ids=[c.__name__ for c in HIERARCHY])
def test_error_without_message_is_empty(cls: type[Exception]) -> None:
    assert str(cls()) == ""


def test_keyerror_subclasses_are_not_quoted() -> None:
    plain = str(KeyError("no such thing"))
    assert plain == "'no such thing'"  # what the builtin would print
    assert str(UnknownVillageError("no such thing")) == "no such thing"
    with pytest.raises(KeyError) as exc:
        raise MissingColumnError("villages table lacks column 'population'")
    assert str(exc.value) == "villages table lacks column 'population'"
