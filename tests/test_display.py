"""Every name shown exactly, on every terminal: hostile names through every command and output format,
figures never cut, layouts from 40 to 200 columns."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Harness
from tests.fake_spotify import make_artist, make_track
from tests.test_history_import import extended, write

HOSTILE = [
    "Hits [live]",
    "AC[/]DC",
    "[/]",
    "[bold red]Shout[/bold red]",
    "EVIL\x1b]0;pwned\x07\x1b[2J",
    "C1\x9b31mred",
    "Bidi\u202egnp.exe",
]
SHOWN = ["Hits [live]", "AC[/]DC", "[/]", "[bold red]Shout[/bold red]", "EVIL␛]0;pwned␇␛[2J", "C1�31mred"]
TERMINAL_ACTS_ON = ("\x1b", "\x07", "\x9b", "\u202e")


def hostile_track(n: int) -> dict[str, Any]:
    track = make_track(n)
    name = HOSTILE[n % len(HOSTILE)]
    track["name"] = name
    track["artists"][0]["name"] = HOSTILE[(n + 1) % len(HOSTILE)]
    track["album"]["name"] = HOSTILE[(n + 2) % len(HOSTILE)]
    return track


@pytest.fixture
def hostile(harness: Harness) -> Harness:
    lib = harness.fake.library
    base = datetime.now(timezone.utc).replace(microsecond=0)
    for key in ("short_term", "medium_term", "long_term"):
        lib.top_tracks[key] = [hostile_track(n) for n in range(len(HOSTILE))]
        lib.top_artists[key] = [
            {**make_artist(n, genres=[HOSTILE[n - 1]]), "name": HOSTILE[n]} for n in range(len(HOSTILE))
        ]
    lib.recent = [
        {
            "track": hostile_track(n),
            "played_at": (base - timedelta(minutes=4 * n)).isoformat().replace("+00:00", "Z"),
            "context": None,
        }
        for n in range(len(HOSTILE))
    ]
    lib.saved = [{"added_at": "2026-01-01T00:00:00Z", "track": hostile_track(n)} for n in range(len(HOSTILE))]
    lib.now = {
        "is_playing": True,
        "progress_ms": 1000,
        "timestamp": 0,
        "context": None,
        "currently_playing_type": "track",
        "item": hostile_track(0),
        "device": {"name": HOSTILE[4], "type": "Computer"},
    }
    harness.log_in()
    return harness


COMMANDS = [["top-tracks"], ["top-artists"], ["recent"], ["saved"], ["now"], ["wrapped"]]


def assert_nothing_a_terminal_acts_on(text: str) -> None:
    for char in TERMINAL_ACTS_ON:
        assert char not in text, f"{char!r} reached the output"


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("width", ["40", "80", "200"])
def test_hostile_names_are_shown_literally_in_tables(
    hostile: Harness, command: list[str], width: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", width)
    result = hostile.run(*command)
    assert result.exit_code == 0, result.output
    assert_nothing_a_terminal_acts_on(result.output)
    if width == "200":  # wide enough that no name is shortened
        shown = [s for s in SHOWN if s in result.stdout]
        assert "Hits [live]" in result.stdout and len(shown) >= 3, result.stdout
        assert "Shout" not in result.stdout.replace("[bold red]Shout[/bold red]", "")  # no style was applied


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != ["now"]], ids=" ".join)
def test_hostile_names_survive_json_exactly_and_csv_visibly(hostile: Harness, command: list[str]) -> None:
    as_json = hostile.run(*command, "--json")
    assert as_json.exit_code == 0, as_json.output
    assert_nothing_a_terminal_acts_on(as_json.stdout)  # escaped as \u001b, \u009b ...
    text = json.dumps(json.loads(as_json.stdout))
    for name in HOSTILE:
        assert json.dumps(name)[1:-1] in text  # every name, exactly as Spotify sent it
    if command == ["wrapped"]:
        return
    as_csv = hostile.run(*command, "--csv")
    assert as_csv.exit_code == 0, as_csv.output
    assert_nothing_a_terminal_acts_on(as_csv.stdout)
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert any(row["name"] == "EVIL␛]0;pwned␇␛[2J" for row in rows)
    assert any(row["name"] == "Hits [live]" for row in rows)


def import_hostile_history(harness: Harness, tmp_path: Path) -> None:
    """One play a day in March 2025 for each hostile name, by another hostile name."""
    records = [
        extended(f"2025-03-0{n + 1}T10:00:00Z", name, HOSTILE[(n + 1) % len(HOSTILE)], 600_000 + n * 60_000)
        for n, name in enumerate(HOSTILE)
    ]
    write(tmp_path / "Streaming_History_Audio_2025.json", records)
    assert (
        harness.run("history", "import", str(tmp_path / "Streaming_History_Audio_2025.json")).exit_code == 0
    )


def test_hostile_names_from_an_export_in_history_stats(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_hostile_history(harness, tmp_path)
    for width in ("40", "80", "200"):
        monkeypatch.setenv("COLUMNS", width)
        result = harness.run("history", "stats", "--year", "2025")
        assert result.exit_code == 0, result.output
        assert_nothing_a_terminal_acts_on(result.output)
    monkeypatch.setenv("COLUMNS", "200")
    wide = harness.run("history", "stats", "--year", "2025")
    assert "Hits [live]" in wide.stdout and "AC[/]DC" in wide.stdout and "EVIL␛]0;pwned␇␛[2J" in wide.stdout


def test_hostile_names_in_every_history_view(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_hostile_history(harness, tmp_path)
    views = [
        ("history", "top", "tracks"),
        ("history", "top", "artists", "--year", "2025"),
        ("history", "artist", "ac[/]dc"),
        ("history", "track", "[bold red]shout[/bold red]"),
        ("history", "rediscover"),
        ("history", "on-this-day", "2026-03-02"),
        ("history", "stats", "--month", "2025-03"),
        ("wrapped", "--year", "2025"),
        ("history", "artist", "[/]x"),  # not there: the error lists hostile names
    ]
    for width in ("40", "80", "200"):
        monkeypatch.setenv("COLUMNS", width)
        for view in views:
            result = harness.run(*view)
            assert result.exit_code == (1 if view[-1] == "[/]x" else 0), result.output
            assert_nothing_a_terminal_acts_on(result.output)
            assert all(len(line) <= int(width) for line in result.stdout.splitlines()), view
    monkeypatch.setenv("COLUMNS", "200")
    assert "AC[/]DC" in harness.run("history", "artist", "ac[/]dc").stdout
    assert "[bold red]Shout[/bold red]" in harness.run("history", "top", "tracks").stdout
    assert "C1�31mred" in harness.run("history", "on-this-day", "2026-03-06").stdout
    assert "Hits [live]" in harness.run("wrapped", "--year", "2025").stdout


def test_a_hostile_path_in_an_error_is_shown_literally(harness: Harness, tmp_path: Path) -> None:
    result = harness.run("history", "import", str(tmp_path / "x[/]\x1b[2J.zip"))
    assert result.exit_code == 2
    assert_nothing_a_terminal_acts_on(result.stderr)
    assert "x[/]␛[2J.zip does not exist" in result.stderr


# ---------------------------------------------------------------- whole figures at every width


def test_history_figures_are_never_cut(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_names = [f"A Very Long Track Name Number {n} (Remastered Deluxe Edition)" for n in range(10)]
    records = [
        extended(
            f"2025-0{1 + n % 9}-1{n % 9}T1{k}:00:00Z", name, f"Some Artist With A Long Name {n}", 86_000_000
        )
        for n, name in enumerate(long_names)
        for k in range(3)
    ]
    write(tmp_path / "Streaming_History_Audio_2025.json", records)
    assert (
        harness.run("history", "import", str(tmp_path / "Streaming_History_Audio_2025.json")).exit_code == 0
    )
    for width in ("40", "60", "80", "100", "120", "200"):
        monkeypatch.setenv("COLUMNS", width)
        screen = harness.run("history", "stats", "--year", "2025").stdout
        assert "4,300 min" in screen, (width, screen)  # 3 x 86,000,000 ms, whole, with its unit
        assert "…" in screen  # names gave way instead
        assert max(len(line) for line in screen.splitlines()) <= int(width)


def test_hostile_names_in_the_shared_picture_and_page(hostile: Harness, tmp_path: Path) -> None:
    import xml.etree.ElementTree as ET

    svg, html = tmp_path / "w.svg", tmp_path / "w.html"
    result = hostile.run("wrapped", "--svg", str(svg), "--html", str(html))
    assert result.exit_code == 0, result.output
    drawn = "".join(ET.parse(svg).getroot().itertext()).replace("\xa0", " ")  # well-formed XML
    page = html.read_text()
    for text in (drawn, page):
        assert_nothing_a_terminal_acts_on(text)
    assert "Hits [live]" in drawn and "Hits [live]" in page
    assert "<script" not in page.lower().replace("<style", "")
