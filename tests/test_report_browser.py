"""The report in a real browser: headless Chromium (Debian's `chromium`, which scripts/test installs)
opens the file with no network, and the page's own check says which charts are drawn and what errors it
saw. A screenshot is kept in test-artifacts/ for a person to look at.

Without Chromium these tests are skipped, unless SPOTIVIZ_REQUIRE_BROWSER=1 (scripts/test sets it once it
has installed Chromium), where a missing browser is a failure.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from spotiviz_cli import report
from tests.conftest import Harness
from tests.test_report import DEMO_NOW, HOSTILE, history, play, utc  # noqa: F401  (fixtures)

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHARTS = {"timeline", "calendar", "punchcard", "artists"}
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("SPOTIVIZ_REQUIRE_BROWSER") == "1":
            pytest.fail("SPOTIVIZ_REQUIRE_BROWSER=1 but there is no chromium on PATH")
        pytest.skip("no chromium on PATH (scripts/test installs Debian's chromium)")
    return found


def browse(page: Path, *extra: str, fragment: str = "") -> subprocess.CompletedProcess[str]:
    """Chromium, headless, with every request sent to a proxy that is not there: no network at all."""
    args = [
        chromium(),
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--hide-scrollbars",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=10000",  # the page's timers (its check after 1 s) run before the dump
        f"--user-data-dir={page.parent / 'chromium-profile'}",
        *extra,
        page.resolve().as_uri() + fragment,
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.insert(1, "--no-sandbox")  # Chromium's sandbox refuses to run as root (CI containers)
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)


def checked(page: Path, fragment: str = "") -> tuple[dict[str, Any], str, str]:
    """The page's own check (charts drawn, errors; with #check the tooltips it hovered), the DOM after
    scripts ran, and the browser's log."""
    done = browse(page, "--dump-dom", fragment=fragment)
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'data-check="([^"]*)"', done.stdout)
    assert found is not None, "the page's check never ran: " + done.stderr[-2000:]
    return json.loads(html.unescape(found.group(1))), done.stdout, done.stderr


BAD = ("Uncaught", "Refused", "Content Security Policy", "ERR_", "Failed to load")


def console_errors(log: str) -> list[str]:
    """The page's console lines that say something went wrong: a script error, a blocked or failed load."""
    return [line for line in log.splitlines() if "CONSOLE" in line and any(bad in line for bad in BAD)]


def test_the_demo_report_draws_every_chart_offline(harness: Harness, tmp_path: Path) -> None:
    page = tmp_path / "demo.html"
    assert harness.run("--demo", "report", "-o", str(page), now=lambda: DEMO_NOW).exit_code == 0
    check, _, log = checked(page)
    assert check["charts"] == dict.fromkeys(CHARTS, True) and check["errors"] == []
    assert set(check["tooltips"].values()) == {
        None
    }  # a person opening it sees no tooltip they did not ask for
    assert console_errors(log) == []
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-demo.png"
    shot.unlink(missing_ok=True)
    done = browse(page, "--window-size=1200,2600", f"--screenshot={shot}")
    assert done.returncode == 0 and shot.stat().st_size > 50_000  # a picture with something in it


def test_a_hostile_name_runs_no_script(history: Harness, tmp_path: Path) -> None:  # noqa: F811
    result = history.run("report", "--year", "2026", "-o", str(tmp_path / "hostile.html"))
    assert result.exit_code == 0, result.output
    check, dom, log = checked(tmp_path / "hostile.html")
    assert check["errors"] == [] and console_errors(log) == []
    assert all(check["charts"].values())
    assert "<title>spotiviz · 2026</title>" in dom  # the name's script did not rename the page
    assert "<img src=x" not in dom  # nor made an element
    assert html.escape(HOSTILE, quote=False) in dom  # it is shown, as text


def test_a_period_without_plays_still_makes_a_page_without_errors(history: Harness, tmp_path: Path) -> None:  # noqa: F811
    result = history.run("report", "--year", "2020", "-o", str(tmp_path / "empty.html"))
    assert result.exit_code == 0 and "No plays in 2020" in result.stderr
    check, dom, log = checked(tmp_path / "empty.html")
    assert check["errors"] == [] and console_errors(log) == []
    assert "No podcast episodes in this period." in dom


def shown(minutes: float) -> str:
    return f"{int(minutes + 0.5):,} min"  # as the page rounds (JavaScript's Math.round) and writes them


def test_hovering_shows_the_exact_figure(harness: Harness, tmp_path: Path) -> None:
    page = tmp_path / "demo.html"
    assert harness.run("--demo", "report", "-o", str(page), now=lambda: DEMO_NOW).exit_code == 0
    data = report.embedded(page.read_text(encoding="utf-8"))
    check, _, _ = checked(page, "#check")
    tips = check["tooltips"]
    months = data["timeline"]
    busiest = max(range(len(months["minutes"])), key=lambda i: (months["minutes"][i], -i))
    assert tips["timeline"] == months["labels"][busiest] + shown(months["minutes"][busiest])
    by_day = data["stats"]["by_day"]
    last_year = max(by_day)[:4]
    first_day = min(day for day in by_day if day.startswith(last_year))
    assert tips["calendar"] == first_day + shown(by_day[first_day])
    cells = [(hours[hour], -(day * 24 + hour), day, hour) for day, hours in enumerate(data["stats"]["punchcard"])
             for hour in range(24)]  # fmt: skip
    minutes, _, day, hour = max(cells)
    assert tips["punchcard"] == f"{WEEKDAYS[day]} {hour}:00-{hour + 1}:00" + shown(minutes)
