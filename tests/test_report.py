"""`spotiviz report`: the page's figures are those of `history stats`, names stay data, files are whole."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from spotiviz_cli import report
from tests.conftest import Harness, zone

MIN = 60_000
GOLDEN = Path(__file__).parent / "golden" / "report_demo.json"
DEMO_NOW = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
HOSTILE = "</script><script>document.title='pwned'</script><!--"


def play(ts: str, track: str, artist: str, ms: int, album: str | None = "LP") -> dict[str, object]:
    return {"ts": ts, "ms_played": ms, "master_metadata_track_name": track,
            "master_metadata_album_artist_name": artist, "master_metadata_album_album_name": album}  # fmt: skip


HISTORY = [
    play("2025-03-01T10:00:00Z", "Old Song", "Beta", 10 * MIN),
    play("2025-03-02T10:00:00Z", "Old Song", "Beta", 10 * MIN),
    play("2026-01-10T10:00:00Z", "Rise", "Alpha", 6 * MIN),
    play("2026-01-11T10:05:00Z", "Rise", "Alpha", 6 * MIN),
    play("2026-02-02T10:00:00Z", HOSTILE, "<img src=x onerror=alert(1)>", 3 * MIN, "{b|x} & [bold]"),
    {
        "ts": "2026-02-03T10:00:00Z",
        "ms_played": 30 * MIN,
        "episode_name": "Ep 1",
        "episode_show_name": "Show",
    },
]


@pytest.fixture(autouse=True)
def utc() -> Iterator[None]:
    with zone("UTC"):
        yield


@pytest.fixture
def history(harness: Harness, tmp_path: Path) -> Harness:
    path = tmp_path / "Streaming_History_Audio_report.json"
    path.write_text(json.dumps(HISTORY))
    assert harness.run("history", "import", str(path)).exit_code == 0
    return harness


def made(harness: Harness, *args: str, **overrides: Any) -> tuple[Any, Path | None]:
    result = harness.run("report", *args, "--json", **overrides)
    if result.exit_code != 0:
        return result, None
    return result, Path(json.loads(result.stdout)["path"])


@pytest.mark.parametrize(
    "period",
    [[], ["--year", "2026"], ["--month", "2026-01"], ["--since", "2025-03-01", "--until", "2026-02-10"]],
)
def test_the_page_holds_the_figures_of_history_stats(history: Harness, period: list[str]) -> None:
    result, path = made(history, *period)
    assert path is not None, result.output
    data = report.embedded(path.read_text(encoding="utf-8"))
    stats = history.run("history", "stats", *period, "--json")
    assert data["stats"] == json.loads(stats.stdout)
    by_month = data["stats"]["by_month"]
    assert data["artists_over_time"]["months"] == list(by_month)
    for series in data["artists_over_time"]["series"]:  # the top artists' months add up to their minutes
        top = next(a for a in data["stats"]["top_artists"] if a["name"] == series["name"])
        assert sum(series["minutes"]) == pytest.approx(top["minutes"])


def test_names_stay_data_in_the_tables_and_the_embedded_json(history: Harness) -> None:
    _, path = made(history, "--year", "2026")
    assert path is not None
    page = path.read_text(encoding="utf-8")
    assert page.count("<script") == 3  # the data and the two scripts: no name opened another
    assert "<img src=x" not in page and "</script><script>document" not in page
    assert (
        "&lt;/script&gt;&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;&lt;!--" in page
    )  # table
    data = report.embedded(page)
    assert HOSTILE in [t["name"] for t in data["stats"]["top_tracks"]]  # the JSON gives the name back whole
    assert "{b|x} & [bold]" in [a["name"] for a in data["stats"]["top_albums"]]


def test_the_page_asks_no_other_host_and_runs_only_its_own_scripts(history: Harness) -> None:
    _, path = made(history)
    assert path is not None
    page = path.read_text(encoding="utf-8")
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None
    text = html.unescape(policy.group(1))
    rules = dict(rule.strip().split(" ", 1) for rule in text.split(";"))
    assert rules["default-src"] == "'none'" and "http" not in text
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    hashes = {
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'" for s in scripts
    }
    assert set(rules["script-src"].split()) == hashes and len(hashes) == 2
    assert not re.search(
        r"""(src|href)=["']?(https?:)?//""", page
    )  # no web font, CDN or image from elsewhere


def test_an_existing_file_is_kept_unless_forced_and_a_file_is_never_half_written(
    history: Harness, tmp_path: Path
) -> None:
    target = tmp_path / "mine.html"
    target.write_text("my notes")
    refused = history.run("report", "-o", str(target))
    assert refused.exit_code == 1 and "already exists" in refused.stderr and "--force" in refused.stderr
    assert target.read_text() == "my notes"
    forced = history.run("report", "-o", str(target), "--force")
    assert forced.exit_code == 0 and report.embedded(target.read_text())["stats"]["plays"] == 5
    missing = history.run("report", "-o", str(tmp_path / "nowhere" / "r.html"))
    assert missing.exit_code == 1 and "does not exist" in missing.stderr
    folder = history.run("report", "-o", str(tmp_path))
    assert folder.exit_code == 1 and "is a folder" in folder.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".spotiviz-report")) == []


def test_the_default_name_says_the_period_and_the_path_is_printed(history: Harness, tmp_path: Path) -> None:
    result = history.run("report", "--month", "2026-01", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(tmp_path / "spotiviz-report-2026-01.html")
    odd = tmp_path / "[bold]x[red].html"  # a path is printed as it is, never as markup
    printed = history.run("report", "-o", str(odd), cwd=tmp_path)
    assert printed.exit_code == 0, printed.output
    assert printed.stdout.strip() == str(odd) and odd.is_file()
    assert report.default_name("all time") == "spotiviz-report-all-time.html"
    assert report.default_name("the last 30 days") == "spotiviz-report-the-last-30-days.html"


def test_open_hands_the_file_to_the_browser(history: Harness, tmp_path: Path) -> None:
    opened: list[str] = []

    def browser(url: str) -> bool:
        opened.append(url)
        return True

    result = history.run("report", "--open", cwd=tmp_path, open_browser=browser)
    assert result.exit_code == 0, result.output
    assert opened == [(tmp_path / "spotiviz-report-all-time.html").as_uri()]


def test_without_a_history_it_says_how_to_make_one(harness: Harness, tmp_path: Path) -> None:
    result = harness.run("report", cwd=tmp_path)
    assert result.exit_code == 1 and "history import" in result.stderr
    assert list(tmp_path.glob("*.html")) == []


def test_a_short_period_draws_weeks_and_a_long_one_months() -> None:
    figures = {
        "period": {"label": "x", "since": "2026-01-07", "until": "2026-01-20"},
        "by_month": {"2026-01": 9.0},
        "by_day": {"2026-01-07": 2.0, "2026-01-12": 3.0, "2026-01-18": 1.0, "2026-01-19": 3.0},
    }
    assert report.timeline(figures) == {
        "unit": "week",
        "labels": ["2026-01-05", "2026-01-12", "2026-01-19"],
        "minutes": [2.0, 4.0, 3.0],
    }
    figures["period"] = {"label": "x", "since": "2025-01-01", "until": "2026-01-31"}
    assert report.timeline(figures)["unit"] == "month"


def test_embedded_json_cannot_end_its_script_element() -> None:
    text = report.embedded_json({"name": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"name": "</script><!-- & \u2028"}


def test_the_demo_report_at_a_fixed_date_is_stable(harness: Harness, tmp_path: Path) -> None:
    """A golden copy of the demo page's data (not of the page): UPDATE_GOLDEN=1 rewrites it."""
    result = harness.run("--demo", "report", "-o", str(tmp_path / "demo.html"), now=lambda: DEMO_NOW)
    assert result.exit_code == 0, result.output
    data = report.embedded((tmp_path / "demo.html").read_text(encoding="utf-8"))
    data.pop("spotiviz")  # the version
    shown = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(shown + "\n", encoding="utf-8")
    assert shown == GOLDEN.read_text(encoding="utf-8").rstrip("\n")
    assert data["stats"]["plays"] > 10_000 and len(data["artists_over_time"]["series"]) == 8
    assert data["demo"] is True and "invented listening" in (tmp_path / "demo.html").read_text(
        encoding="utf-8"
    )


def test_the_vendored_charting_library_is_the_published_file_with_its_licence() -> None:
    assets = Path(report.__file__).parent / "assets"
    library = (assets / "echarts.min.js").read_bytes()
    assert hashlib.sha256(library).hexdigest() == report.ECHARTS_SHA256
    assert "Apache License" in (assets / "ECHARTS-LICENSE.txt").read_text(encoding="utf-8")
    assert "Apache ECharts" in (assets / "ECHARTS-NOTICE.txt").read_text(encoding="utf-8")


def test_the_headline_says_when_there_is_nothing_to_compare_with(history: Harness, tmp_path: Path) -> None:
    _, path = made(history, "--year", "2026")
    assert path is not None
    assert "Changes against 2025." in path.read_text(encoding="utf-8")
    _, path = made(history, "--year", "2025", "-o", str(tmp_path / "2025.html"))
    assert path is not None
    page = path.read_text(encoding="utf-8")
    assert "Nothing played in 2024 to compare with." in page and "Changes against" not in page
    assert "skips not recorded" in page  # the export records of this history say nothing of skips
