"""`spotiviz wrapped`: the screen at a fixed width, SVG/HTML export, --json, concurrency; --demo everywhere."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from rich.console import Console

from spotiviz_cli import wrapped
from spotiviz_cli.models import Album, Artist, ArtistRef, Play, TimeRange, Track, UserProfile
from spotiviz_cli.render import wrapped as render_wrapped
from tests.conftest import Harness
from tests.fake_spotify import make_artist, make_track

GOLDEN = Path(__file__).parent / "golden" / "wrapped_80.txt"
NOW = datetime(2026, 11, 24, 18, 0, tzinfo=timezone.utc)


def small_report() -> wrapped.Wrapped:
    def t(name: str, who: str, year: str, explicit: bool = False) -> Track:
        return Track(
            name,
            (ArtistRef(who, id=who),),
            200_000,
            name,
            f"spotify:track:{name}",
            Album("LP", year),
            explicit,
        )

    tracks = [
        t("Night Drive", "Neon Coast", "2019"),
        t("Paper Planes", "Mira", "2008", True),
        t("Slow Motion", "Neon Coast", "2015"),
        t("Old Flame", "The Rivers", "1994"),
    ]
    artists = [
        Artist("Neon Coast", "Neon Coast", genres=("synthwave", "indie pop")),
        Artist("Mira", "Mira", genres=("indie pop",)),
        Artist("The Rivers", "The Rivers"),
    ]
    plays = [Play(NOW - timedelta(hours=h), tracks[h % 2]) for h in (1, 2, 3, 9)]
    inputs = wrapped.WrappedInputs(
        user=UserProfile("u1", "Sam"),
        time_range=TimeRange.parse("6m"),
        top_artists={"short": [Artist("Newcomer", "n"), *artists], "medium": artists, "long": artists[:2]},
        top_tracks={"medium": tracks},
        recent=plays,
    )
    return wrapped.compute(inputs, zone=timezone.utc)


def screen_text(width: int = 80) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False)
    console.print(render_wrapped.wrapped_screen(small_report(), now=NOW))
    return "\n".join(line.rstrip() for line in console.file.getvalue().splitlines())  # type: ignore[attr-defined]


def test_screen_at_80_columns_matches_the_golden_copy() -> None:
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(screen_text() + "\n", encoding="utf-8")
    assert screen_text() == GOLDEN.read_text(encoding="utf-8").rstrip("\n")


def test_screen_fits_narrow_and_wide_terminals() -> None:
    for width in (80, 100, 140):
        assert all(len(line) <= width for line in screen_text(width).splitlines())


def test_wrapped_json_figures() -> None:
    data = render_wrapped.wrapped_json(small_report())
    assert data["top_artists"][0] == {"rank": 1, "name": "Neon Coast", "id": "Neon Coast"}
    assert [g["genre"] for g in data["genres"]] == ["indie pop", "synthwave"]
    assert data["decades"] == [
        {"decade": 1990, "tracks": 1},
        {"decade": 2000, "tracks": 1},
        {"decade": 2010, "tracks": 2},
    ]
    assert data["rising"] == ["Newcomer", "The Rivers"] and data["loyal"] == ["Neon Coast", "Mira"]
    assert sum(data["clock"]) == 4 and data["explicit_share"] == 0.25 and data["average_track_ms"] == 200_000
    assert data["on_repeat"] == [{"name": "Paper Planes", "artists": ["Mira"], "plays": 3}]
    json.dumps(data)  # serialisable as is


@pytest.fixture
def account(harness: Harness) -> Harness:
    lib = harness.fake.library
    for key in ("short_term", "medium_term", "long_term"):
        lib.top_tracks[key] = [make_track(n, year=1990 + n) for n in range(50)]
        lib.top_artists[key] = [make_artist(n, genres=["indie pop"]) for n in range(50)]
    lib.recent = [
        {
            "track": make_track(n % 5),
            "played_at": (NOW - timedelta(minutes=5 * n)).isoformat().replace("+00:00", "Z"),
            "context": None,
        }
        for n in range(50)
    ]
    harness.log_in()
    return harness


def test_wrapped_makes_its_eight_requests_at_once(account: Harness) -> None:
    account.fake.latency = 0.2
    result = account.run("wrapped")
    assert result.exit_code == 0, result.output
    paths = sorted(r.path for r in account.fake.requests)
    assert paths == [
        "/v1/me",
        "/v1/me/player/recently-played",
        *["/v1/me/top/artists"] * 3,
        *["/v1/me/top/tracks"] * 3,
    ]
    assert account.fake.max_in_flight == 8
    assert "spotiviz Wrapped, now · Fake User" in result.stdout and "Artist 0" in result.stdout


def test_wrapped_json_from_the_api(account: Harness) -> None:
    data = json.loads(account.run("wrapped", "--json", "--range", "4w").stdout)
    assert data["range"] == "short" and data["user"]["display_name"] == "Fake User"
    assert data["top_artists"][0]["name"] == "Artist 0" and data["genres"] == [
        {"genre": "indie pop", "share": 1.0}
    ]
    assert data["demo"] is False


def test_svg_is_well_formed_and_holds_the_top_artist(account: Harness, tmp_path: Path) -> None:
    svg, html = tmp_path / "w.svg", tmp_path / "w.html"
    result = account.run("wrapped", "--svg", str(svg), "--html", str(html))
    assert result.exit_code == 0, result.output
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    drawn = "".join(root.itertext()).replace("\xa0", " ")
    assert "Artist 0" in drawn and "spotiviz Wrapped, now" in drawn
    assert (
        "Artist 0" in html.read_text()
        and sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    )


def test_the_shared_picture_is_the_same_at_every_terminal_width(
    account: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pictures = {}
    for width in ("40", "200"):
        monkeypatch.setenv("COLUMNS", width)
        svg, html = tmp_path / f"w{width}.svg", tmp_path / f"w{width}.html"
        result = account.run("wrapped", "--svg", str(svg), "--html", str(html))
        assert result.exit_code == 0, result.output
        assert max(len(line) for line in result.stdout.splitlines()) <= min(int(width), 100)
        pictures[width] = (svg.read_text(), html.read_text())
    assert pictures["40"] == pictures["200"]
    root = ET.fromstring(pictures["40"][0])
    assert (
        root.get("viewBox", "").split()[2] == ET.fromstring(pictures["200"][0]).get("viewBox", "").split()[2]
    )
    assert "<title>spotiviz Wrapped</title>" in pictures["40"][1]


@pytest.mark.parametrize(
    ("option", "name", "says"),
    [
        ("--svg", "w.png", "must end in .svg, not 'w.png'"),
        ("--html", "w.svg", "must end in .html, not 'w.svg'"),
    ],
)
def test_a_picture_name_of_the_wrong_kind_is_a_usage_error(
    account: Harness, tmp_path: Path, option: str, name: str, says: str
) -> None:
    result = account.run("wrapped", option, str(tmp_path / name))
    assert result.exit_code == 2 and says in result.stderr
    assert account.fake.requests == [] and not (tmp_path / name).exists()


def test_a_picture_is_never_saved_over_a_device_or_said_saved_when_it_was_not(
    account: Harness, tmp_path: Path
) -> None:
    device = tmp_path / "dev.svg"
    os.mkfifo(device)
    refused = account.run("wrapped", "--svg", str(device))
    assert refused.exit_code == 2 and "is not a regular file" in refused.stderr
    folder = tmp_path / "taken.svg"
    folder.mkdir()
    failed = account.run("wrapped", "--svg", str(folder))
    assert failed.exit_code == 2 and "Saved" not in failed.output


def test_saving_into_a_missing_folder_fails_before_any_request(account: Harness, tmp_path: Path) -> None:
    result = account.run("wrapped", "--svg", str(tmp_path / "nope" / "w.svg"))
    assert result.exit_code == 2 and "does not exist" in result.stderr
    assert account.fake.requests == []


def test_json_and_svg_together_is_a_usage_error(account: Harness, tmp_path: Path) -> None:
    assert account.run("wrapped", "--json", "--svg", str(tmp_path / "w.svg")).exit_code == 2


# ---------------------------------------------------------------- --demo

DEMO_COMMANDS = [
    ["top-tracks"],
    ["top-tracks", "--limit", "100", "--json"],
    ["top-artists", "--range", "4w"],
    ["recent", "--csv"],
    ["now"],
    ["saved", "--all", "--json"],
    ["wrapped"],
    ["wrapped", "--json"],
    ["status"],
]


@pytest.mark.parametrize("args", DEMO_COMMANDS, ids=lambda a: " ".join(a))
def test_demo_runs_without_network_or_keyring(args: list[str]) -> None:
    env = {
        **os.environ,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",  # no keyring at all
        "SPOTIVIZ_API_URL": "http://127.0.0.1:9/v1",  # nothing listens there
        "SPOTIVIZ_ACCOUNTS_URL": "http://127.0.0.1:9",
    }
    result = subprocess.run(
        [sys.executable, "-m", "spotiviz_cli", "--demo", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    # said once: by the banner on stderr, or by the screen itself (wrapped), never twice
    said = result.stderr.count("Demo mode") + result.stdout.count("Demo data")
    assert said == 1, (result.stdout, result.stderr)
    assert result.stdout.strip()


def test_demo_data_is_realistic_in_size_and_shape(harness: Harness) -> None:
    run = lambda *a: json.loads(harness.run("--demo", *a).stdout)  # noqa: E731
    for key in ("short", "medium", "long"):
        tracks = run("top-tracks", "--range", key, "--limit", "100", "--json")
        artists = run("top-artists", "--range", key, "--limit", "100", "--json")
        assert len(tracks) == 50 and len(artists) == 50
        assert any(not a["genres"] for a in artists) and any(a["genres"] for a in artists)
    recent = run("recent", "--limit", "50", "--json")
    assert len(recent) == 50 and any(r["context_uri"] is None for r in recent)
    assert any(r["context_uri"] for r in recent)
    saved = run("saved", "--all", "--json")
    assert 200 <= len(saved) <= 500
    assert run("wrapped", "--json")["demo"] is True
    assert harness.fake.requests == []  # the demo never touched the (fake) network


@pytest.mark.parametrize("args", [["login"], ["logout"], ["history", "sync"], ["history", "import", "x.zip"]])
def test_demo_refuses_what_would_touch_a_real_login_or_history(harness: Harness, args: list[str]) -> None:
    result = harness.run("--demo", *args)
    assert result.exit_code == 2 and "demo mode" in result.stderr
    assert not (Path(harness.env["SPOTIVIZ_DATA_DIR"]) / "history.sqlite3").exists()


def test_demo_history_never_touches_the_real_one(harness: Harness, tmp_path: Path) -> None:
    data = Path(harness.env["SPOTIVIZ_DATA_DIR"])
    stats = harness.run("--demo", "history", "stats", "--json")
    assert stats.exit_code == 0, stats.output
    figures = json.loads(stats.stdout)
    assert figures["plays"] > 10_000 and len(figures["by_month"]) >= 36  # three invented years
    assert not data.exists()  # nothing created
    year = datetime.now().year - 1
    for args in (["history", "stats", "--year", str(year)], ["wrapped", "--year", str(year)]):
        shown = harness.run(*args, "--demo")  # --demo after the command works too
        assert shown.exit_code == 0, shown.output
        assert "minutes listened" in shown.stdout and "History database" not in shown.stdout
    for refused in (["history", "import", str(tmp_path)], ["history", "sync"]):
        result = harness.run("--demo", *refused)
        assert result.exit_code == 2 and "demo mode" in result.stderr
    assert not data.exists()


def test_demo_mode_from_the_environment(harness: Harness) -> None:
    harness.env["SPOTIVIZ_DEMO"] = "1"
    result = harness.run("top-tracks", "--limit", "3", "--json")
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 3
    assert harness.fake.requests == []  # the invented account, not the fake Spotify
    harness.env["SPOTIVIZ_DEMO"] = "maybe"
    wrong = harness.run("top-tracks")
    assert wrong.exit_code == 2 and "SPOTIVIZ_DEMO must be 1 or 0" in wrong.stderr


def test_range_and_year_together_are_a_usage_error(harness: Harness) -> None:
    result = harness.run("--demo", "wrapped", "--year", "2025", "--range", "4w")
    assert result.exit_code == 2 and "--year draws a year of your history instead" in result.stderr
    assert harness.run("--demo", "wrapped", "--range", "4w", "--json").exit_code == 0
