"""Every screen at 40, 80 and 120 columns against a golden copy (UPDATE_GOLDEN=1 rewrites them after a
deliberate change; read the diff before committing it)."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from rich.console import Console, RenderableType

from spotiviz_cli.demo.history import plays
from spotiviz_cli.history import stats
from spotiviz_cli.history.store import MUSIC
from spotiviz_cli.models import Album, ArtistRef, Play, TimeRange, Track
from spotiviz_cli.render import history as render_history
from spotiviz_cli.render import tables
from spotiviz_cli.render import wrapped as render_wrapped
from tests.test_wrapped_command import NOW, small_report

GOLDEN = Path(__file__).parent / "golden"
WIDTHS = (40, 80, 120)
DEMO_NOW = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)


def text_at(renderable: RenderableType, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False)
    console.print(renderable)
    return "\n".join(line.rstrip() for line in console.file.getvalue().splitlines())  # type: ignore[attr-defined]


def demo_year() -> RenderableType:
    """The history screen of 2025 from the demo history (seeded, so the same every run)."""
    period = stats.year_period(2025)
    start, end = stats.to_epoch_ms(period.start), stats.to_epoch_ms(period.end)
    rows = [
        (r[0], r[4], r[2], r[3], r[11], r[5])
        for r in plays(DEMO_NOW)
        if r[7] == MUSIC and start <= r[0] < end
    ]
    utc = lambda seconds: datetime.fromtimestamp(seconds, timezone.utc).replace(tzinfo=None)  # noqa: E731
    return render_history.history_screen(stats.compute(rows, period, utc))


def track(name: str, artists: tuple[str, ...], album: str, ms: int) -> Track:
    return Track(
        name,
        tuple(ArtistRef(a, id=a) for a in artists),
        ms,
        name,
        f"spotify:track:{name}",
        Album(album, "2020"),
    )


TRACKS = [
    track("Night Drive", ("Neon Coast", "Mira"), "Blue Hour", 215_000),
    track(
        "A Much Longer Song Title (Extended Version)", ("The Silver Gardens",), "Everything At Once", 412_000
    ),
    track("Hits [live]", ("AC[/]DC",), "[/]", 61_000),
]


def recent() -> RenderableType:
    items = [Play(NOW - timedelta(minutes=7 * n + 3), t) for n, t in enumerate(TRACKS)]
    return tables.recent_table(items, NOW)


SCREENS: dict[str, Callable[[], RenderableType]] = {
    "wrapped": lambda: render_wrapped.wrapped_screen(small_report(), now=NOW),
    "history": demo_year,
    "top_tracks": lambda: tables.top_tracks_table(TRACKS, TimeRange.parse("4w")),
    "recent": recent,
}


@pytest.fixture(autouse=True)
def utc_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_screen_matches_its_golden_copy(screen: str, width: int) -> None:
    shown = text_at(SCREENS[screen](), width)
    golden = GOLDEN / f"{screen}_{width}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(shown + "\n", encoding="utf-8")
    assert shown == golden.read_text(encoding="utf-8").rstrip("\n")
    assert max(len(line) for line in shown.splitlines()) <= width
