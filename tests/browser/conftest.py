"""Fixtures for the browser tests: headless Chromium, offline pages, maps written once.

The tests need the ``playwright`` package and a Chromium already installed: Debian's
``/usr/bin/chromium``, or the executable named by ``RELOCATE_CHROMIUM``. Never run
``playwright install`` (it downloads a browser). When either is missing every test
skips with the reason, or fails when ``RELOCATE_REQUIRE_BROWSER`` is set (as CI does).

Pages are opened from ``file://`` in a context that is offline and refuses every
request to a non-local address, and that records console errors, page errors,
failed requests and dialogs, so a test can assert none happened.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import numpy as np
import pytest

import relocate
from relocate.outputs import build_map, write_map
from relocate.scoring import Profile, Ranking, load_profile, parse_profile, score

try:
    from playwright.sync_api import TimeoutError as WaitTimeoutError
except ImportError:  # the browser fixture skips (or fails) with the reason

    class WaitTimeoutError(Exception):  # type: ignore[no-redef]
        """Stand-in, so the tests import without playwright."""


REQUIRE_BROWSER_ENV = "RELOCATE_REQUIRE_BROWSER"
CHROMIUM_ENV = "RELOCATE_CHROMIUM"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 1000}
#: How long a page may take to set ``window.relocateMap.ready``, in milliseconds.
READY_TIMEOUT_MS = 20_000
#: Screenshots and other outputs of the browser tests (git-ignored).
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

LECTOURE, AUCH, GIMONT = "32208", "32013", "32147"
#: Villages left with no value for any criterion in the ``gappy`` territory.
NO_SCORE = ["32002", "32003"]
#: Village names that would run script if the page inserted them as HTML.
HOSTILE_NAMES = {
    LECTOURE: "<script>alert(1)</script>",
    AUCH: '"onmouseover="alert(2)',
    GIMONT: "</script><script>alert(3)</script>",
}
#: Town-hall fields of Lectoure, likewise.
HOSTILE_TOWNHALL = {
    "townhall_address": "<img src=x onerror=alert(4)>",
    "townhall_website": "javascript:alert(5)",
    "townhall_email": '"><svg onload=alert(6)>',
    "townhall_phone": "<b onclick=alert(7)>05</b>",
}
HOSTILE_PROFILE_NAME = "</script><script>alert(8)</script>"
HOSTILE_DESCRIPTION = "<img src=x onerror=alert(9)>"

_READY = "() => window.relocateMap !== undefined && window.relocateMap.ready === true"
_LOCAL_SCHEMES = {"file", "data", "about", "blob"}
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def is_local(url: str) -> bool:
    """True for the addresses an offline page may load: files, inline data, loopback."""
    parts = urlsplit(url)
    if parts.scheme in _LOCAL_SCHEMES:
        return True
    return parts.scheme in {"http", "https"} and parts.hostname in _LOCAL_HOSTS


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:117] + "..."


def _unavailable(reason: str) -> NoReturn:
    """Skip (or fail, when the browser is required) for lack of a browser."""
    if os.environ.get(REQUIRE_BROWSER_ENV, "") not in ("", "0"):
        pytest.fail(f"{reason}, and {REQUIRE_BROWSER_ENV} is set")
    pytest.skip(reason)


def chromium_executable() -> str | None:
    """The Chromium to drive: ``$RELOCATE_CHROMIUM``, else ``chromium`` on the PATH."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        return named if Path(named).is_file() else None
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


# -- the browser --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium shared by the session (skips when there is none)."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable(
            "playwright is not installed (pip install 'playwright>=1.45'; "
            "do not run `playwright install`)"
        )
    executable = chromium_executable()
    if executable is None:
        _unavailable(f"no Chromium found (install Debian's chromium or set {CHROMIUM_ENV})")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
        except PlaywrightError as exc:
            _unavailable(f"Chromium at {executable} did not start: {exc}")
        yield chromium
        chromium.close()


@dataclass
class MapPage:
    """One browser page, offline, with everything that went wrong on it recorded."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    #: Seconds from navigation to ``relocateMap.ready``, once opened.
    load_seconds: float | None = None

    def open(self, path: Path, fragment: str = "") -> MapPage:
        """Load a map file (at ``#fragment``) and wait until the app says it is drawn."""
        start = time.perf_counter()
        self.page.goto(path.as_uri() + (f"#{fragment}" if fragment else ""), wait_until="load")
        deadline = start + READY_TIMEOUT_MS / 1000
        while not self.page_errors:
            with contextlib.suppress(WaitTimeoutError):
                self.page.wait_for_function(_READY, timeout=250)
                break
            if time.perf_counter() > deadline:
                break
        if not self.page.evaluate(_READY):
            pytest.fail(f"the map page never became ready: {self.problems()}")
        self.load_seconds = time.perf_counter() - start
        return self

    def js(self, expression: str, arg: Any = None) -> Any:
        """Evaluate a JavaScript expression or function in the page."""
        return self.page.evaluate(expression, arg)

    def problems(self) -> dict[str, list[str]]:
        """Everything that went wrong so far, by kind (empty when nothing did)."""
        kinds = {
            "console errors": self.console_errors,
            "page errors": self.page_errors,
            "failed requests": self.failed_requests,
            "blocked requests": self.blocked_requests,
            "dialogs": self.dialogs,
        }
        return {kind: list(items) for kind, items in kinds.items() if items}


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., MapPage]]:
    """Factory: a new offline page in its own context (``locale`` as the browser's).

    Every request that is not ``file:``, ``data:``, ``about:``, ``blob:`` or to the
    loopback is aborted and recorded; the context also emulates being offline, so
    ``navigator.onLine`` is false.
    """
    contexts = []

    def make(*, locale: str = "en-US") -> MapPage:
        context = browser.new_context(viewport=VIEWPORT, locale=locale)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        mp = MapPage(page=page)

        def route(route: Any) -> None:
            url = route.request.url
            if is_local(url):
                route.continue_()
            else:
                mp.blocked_requests.append(_short(url))
                route.abort("blockedbyclient")

        def on_console(message: Any) -> None:
            if message.type == "error":
                mp.console_errors.append(f"{message.text} ({message.location})")

        def on_dialog(dialog: Any) -> None:
            mp.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        context.route("**/*", route)
        context.set_offline(True)
        # Some Chromium builds keep navigator.onLine true under offline emulation (150 does
        # on file:// pages): say it in the page too, before any of its scripts runs.
        context.add_init_script(
            "Object.defineProperty(Navigator.prototype, 'onLine', {get: () => false});"
        )
        page.on("console", on_console)
        page.on("pageerror", lambda error: mp.page_errors.append(str(error)))
        page.on(
            "requestfailed",
            lambda request: mp.failed_requests.append(f"{_short(request.url)}: {request.failure}"),
        )
        page.on("dialog", on_dialog)
        return mp

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder for screenshots (``tests/artifacts/``, git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# -- the data and the maps, built once ----------------------------------------------------


@pytest.fixture(scope="session")
def gers(tmp_path_factory: pytest.TempPathFactory) -> relocate.Territory:
    """The Gers from the real built-in data, with a fresh cache for this session."""
    cache = tmp_path_factory.mktemp("relocate-cache")
    return relocate.load_territory(relocate.Settings(cache_dir=cache))


@pytest.fixture(scope="session")
def family() -> Profile:
    return load_profile("family")


def rank(territory: relocate.Territory, profile: Profile) -> Ranking:
    """Python's ranking of a territory for a profile, as the map command computes it."""
    return score(territory.features, profile, names=territory.villages["name"])


@pytest.fixture(scope="session")
def family_ranking(gers: relocate.Territory, family: Profile) -> Ranking:
    return rank(gers, family)


def _write(ranking: Ranking, territory: relocate.Territory, path: Path, lang: str) -> Path:
    from relocate.sources.mayors import load_mayors

    mayors = load_mayors(cache_dir=territory.settings.cache_dir)  # as `relocate map` does
    return write_map(build_map(ranking, territory, top=10, lang=lang, mayors=mayors), path)


@pytest.fixture(scope="session")
def maps_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("maps")


@pytest.fixture(scope="session")
def fr_map(family_ranking: Ranking, gers: relocate.Territory, maps_dir: Path) -> Path:
    """The family map in French (the default language)."""
    return _write(family_ranking, gers, maps_dir / "family-fr.html", "fr")


@pytest.fixture(scope="session")
def en_map(family_ranking: Ranking, gers: relocate.Territory, maps_dir: Path) -> Path:
    """The family map in English."""
    return _write(family_ranking, gers, maps_dir / "family-en.html", "en")


@pytest.fixture(scope="session")
def hostile(gers: relocate.Territory, family: Profile) -> tuple[relocate.Territory, Ranking]:
    """The Gers with script in village names, a town hall and the profile's name."""
    villages = gers.villages.copy()
    for code, name in HOSTILE_NAMES.items():
        villages.loc[code, "name"] = name
    for column, text in HOSTILE_TOWNHALL.items():
        villages.loc[LECTOURE, column] = text
    territory = dataclasses.replace(gers, villages=villages)
    data = family.model_dump()
    data["name"] = HOSTILE_PROFILE_NAME
    data["description"] = HOSTILE_DESCRIPTION
    profile = parse_profile(data, origin="hostile")
    return territory, rank(territory, profile)


@pytest.fixture(scope="session")
def hostile_map(hostile: tuple[relocate.Territory, Ranking], maps_dir: Path) -> Path:
    territory, ranking = hostile
    return _write(ranking, territory, maps_dir / "hostile.html", "fr")


#: Criteria of the family profile the Gers has data for.
FAMILY_CRITERIA = [
    "drive_min_town",
    "population",
    "drive_min_prefecture",
    "drive_min_airport",
    "townhall_hours_per_week",
]


@pytest.fixture(scope="session")
def gappy(gers: relocate.Territory, family: Profile) -> tuple[relocate.Territory, Ranking]:
    """The Gers with holes in its data, as open data leaves them.

    Opening hours are missing for every 7th village, the drive to a town (a criterion
    and a constraint) for every 11th, the population (likewise) for every 13th, and
    two villages have no value at all, so no score.
    """
    features = gers.features.copy()
    codes = features.index
    features.loc[codes[::7], "townhall_hours_per_week"] = np.nan
    features.loc[codes[3::11], "drive_min_town"] = np.nan
    features.loc[codes[5::13], "population"] = np.nan
    features.loc[NO_SCORE, FAMILY_CRITERIA] = np.nan
    territory = dataclasses.replace(gers, features=features)
    return territory, rank(territory, family)


@pytest.fixture(scope="session")
def gappy_map(gappy: tuple[relocate.Territory, Ranking], maps_dir: Path) -> Path:
    territory, ranking = gappy
    return _write(ranking, territory, maps_dir / "gappy.html", "fr")


# -- with open data: point layers, nearest stations, post offices, hospitals -----------------

#: Real open-data files (../shared/data) of the point sources, imported for the Gers.
SHARED_POINTS = {
    "sncf": ("sncf-gares-de-voyageurs/gares-de-voyageurs.csv",),
    "laposte": ("laposte-points-de-contact/laposte_poincont2.csv",),
    "finess": ("hospitals-finess-2020/hospitals-FR.csv",),
}


@pytest.fixture(scope="session")
def open_gers(tmp_path_factory: pytest.TempPathFactory) -> relocate.Territory:
    """The Gers with the real station, post-office and hospital lists imported.

    Skips when ../shared/data lacks them (fails when ``RELOCATE_REQUIRE_SHARED_DATA`` is set).
    """
    from relocate.sources import load_communes
    from relocate.sources.fetch import import_files
    from relocate.sources.opendata import ParseContext
    from relocate.sources.registry import OPEN_DATA
    from relocate.sources.store import Store
    from tests.conftest import REQUIRE_SHARED_ENV, SHARED_DATA

    paths = {key: [SHARED_DATA / name for name in names] for key, names in SHARED_POINTS.items()}
    absent = [str(p) for files in paths.values() for p in files if not p.exists()]
    if absent:
        reason = f"real open-data files are absent: {', '.join(absent)}"
        if os.environ.get(REQUIRE_SHARED_ENV, "") not in ("", "0"):
            pytest.fail(f"{reason}, and {REQUIRE_SHARED_ENV} is set")
        pytest.skip(reason)
    cache = tmp_path_factory.mktemp("relocate-open-cache")
    relocate.load_territory(relocate.Settings(cache_dir=cache))  # parses the communes once
    context = ParseContext(communes=load_communes(cache_dir=cache), departement="32")
    store = Store(cache)
    for key, files in paths.items():
        import_files(OPEN_DATA[key], files, store=store, context=context)
    return relocate.load_territory(relocate.Settings(cache_dir=cache))


@pytest.fixture(scope="session")
def remote_open(open_gers: relocate.Territory) -> Ranking:
    """The remote worker's ranking with the stations loaded (fibre still missing)."""
    return rank(open_gers, load_profile("remote-worker"))


@pytest.fixture(scope="session")
def open_fr_map(open_gers: relocate.Territory, remote_open: Ranking, maps_dir: Path) -> Path:
    return _write(remote_open, open_gers, maps_dir / "remote-open-fr.html", "fr")


@pytest.fixture(scope="session")
def open_en_map(open_gers: relocate.Territory, remote_open: Ranking, maps_dir: Path) -> Path:
    return _write(remote_open, open_gers, maps_dir / "remote-open-en.html", "en")


# -- with robustness figures ------------------------------------------------------------------


@pytest.fixture(scope="session")
def family_robustness(gers: relocate.Territory, family: Profile) -> Any:
    """How sure the family's ranks are when each weight is known only to within a half."""
    from relocate.scoring.robust import WeightSpace, robustness

    weights = np.array([c.weight for c in family.criteria.values()])
    space = WeightSpace(tuple(family.criteria), 0.5 * weights, 1.5 * weights)
    return robustness(
        gers.features, family, space=space, samples=2000, seed=7, top=10, catalogue=gers.catalogue
    )


@pytest.fixture(scope="session")
def robust_map(
    family_ranking: Ranking, gers: relocate.Territory, family_robustness: Any, maps_dir: Path
) -> Path:
    fmap = build_map(family_ranking, gers, top=10, lang="fr", robustness=family_robustness)
    return write_map(fmap, maps_dir / "family-robust-fr.html")


# -- with the CCI programme's data: invented members, events and notes, and hostile texts ---

#: An event title and a field note that would run script if the page inserted them as HTML.
HOSTILE_EVENT = "<img src=x onerror=alert(11)>"
HOSTILE_NOTE = "</script><script>alert(12)</script>"
#: The programme's day in these tests (the fixtures' day): notes expire, events come after.
PROGRAMME_DAY = date(2026, 12, 1)
#: A household profile with the programme's criteria.
PROGRAMME_PROFILE = {
    "name": "Graphiste qui veut rencontrer le réseau",
    "criteria": {
        "drive_min_TLS": {"weight": 3, "better": "lower", "full": 30, "zero": 100},
        "members_within_30min": {"weight": 2, "better": "higher", "full": 20, "zero": 0},
        "trade_members_within_30min": {"weight": 1, "better": "higher", "full": 5, "zero": 0},
        "note_indoor_4g": {"weight": 1, "better": "higher", "full": 1, "zero": 0},
    },
}


@pytest.fixture(scope="session")
def programme_gers(
    gers: relocate.Territory, tmp_path_factory: pytest.TempPathFactory
) -> relocate.Territory:
    """The Gers with the fixture members, events and notes, and a hostile event and note."""
    from relocate.programme._private import private_import
    from relocate.programme.events import EventsSource
    from relocate.programme.members import MembersSource
    from relocate.programme.notes import import_notes
    from relocate.sources.store import Store
    from tests.programme.conftest import FIXTURES, gers_context

    folder = tmp_path_factory.mktemp("programme")
    cache = folder / "cache"
    cache.mkdir()
    shutil.copytree(gers.settings.cache_dir / "communes", cache / "communes")
    events = folder / "events.csv"
    events.write_text(
        (FIXTURES / "events.csv").read_text(encoding="utf-8")
        + f'"{HOSTILE_EVENT}",Marciac,2027-03-06 10:00,2027-03-06 11:00,\n',
        encoding="utf-8",
    )
    notes = folder / "notes.csv"
    notes.write_text(
        (FIXTURES / "notes.csv").read_text(encoding="utf-8")
        + f"Marciac;remark;{HOSTILE_NOTE};2026-11-20;Conseiller Exemple;\n",
        encoding="utf-8",
    )
    context, store = gers_context(cache), Store(cache)
    members = MembersSource(today=PROGRAMME_DAY)
    private_import(members, [FIXTURES / "members.csv"], store=store, context=context)
    private_import(EventsSource(today=PROGRAMME_DAY), [events], store=store, context=context)
    import_notes(notes, store=store, context=context, today=PROGRAMME_DAY)
    return relocate.load_territory(
        relocate.Settings(
            cache_dir=cache, trade="graphiste", today=PROGRAMME_DAY, calibrate_estimate=False
        )
    )


@pytest.fixture(scope="session")
def programme_ranking(programme_gers: relocate.Territory) -> Ranking:
    profile = parse_profile(PROGRAMME_PROFILE, catalogue=programme_gers.catalogue)
    return score(
        programme_gers.features,
        profile,
        names=programme_gers.villages["name"],
        catalogue=programme_gers.catalogue,
    )


@pytest.fixture(scope="session")
def programme_map(
    programme_gers: relocate.Territory, programme_ranking: Ranking, maps_dir: Path
) -> Path:
    return _write(programme_ranking, programme_gers, maps_dir / "programme-fr.html", "fr")
