"""Query plans of the history views: no view reads every record to make its figures.

Every statement a view sends to SQLite is caught (a trace callback on the connections it opens) and
explained: a period reads a range of the records' key, all time reads the summary tables. Only a one-row
step into an end of the key (the history's first and last play) may start a scan of `records`, and only
`history artist|track|album` scans them by design (README: the item views read the item's records).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Harness

MIN = 60_000


def play(ts: str, track: str, artist: str, ms: int) -> dict[str, object]:
    return {"ts": ts, "ms_played": ms, "master_metadata_track_name": track,
            "master_metadata_album_artist_name": artist, "master_metadata_album_album_name": "LP"}  # fmt: skip


@pytest.fixture
def history(harness: Harness, tmp_path: Path) -> Harness:
    records = [
        play(f"202{y}-0{m}-1{d}T1{d}:00:00Z", f"T{d}", f"A{m}", (d + 1) * MIN)
        for y in (4, 5)
        for m in (1, 6)
        for d in range(4)
    ]
    records.append(
        {"ts": "2025-03-01T10:00:00Z", "ms_played": 20 * MIN, "episode_name": "E", "episode_show_name": "S"}
    )
    path = tmp_path / "Streaming_History_Audio_plans.json"
    path.write_text(json.dumps(records))
    assert harness.run("history", "import", str(path)).exit_code == 0
    return harness


def statements(monkeypatch: pytest.MonkeyPatch, run: Callable[[], Any]) -> list[str]:
    """Every SQL statement sent by the connections opened while `run` runs."""
    sent: list[str] = []
    connect = sqlite3.connect

    def traced(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection: sqlite3.Connection = connect(*args, **kwargs)
        connection.set_trace_callback(sent.append)
        return connection

    monkeypatch.setattr(sqlite3, "connect", traced)
    run()
    monkeypatch.setattr(sqlite3, "connect", connect)
    return [s for s in sent if s.lstrip().upper().startswith("SELECT")]


def full_scans(database: Path, sql: list[str]) -> list[str]:
    """The statements whose plan scans `records` whole (a step into an end of the key aside)."""
    db = sqlite3.connect(database)
    try:
        found = []
        for statement in sql:
            plan = db.execute("EXPLAIN QUERY PLAN " + statement, [None] * statement.count("?")).fetchall()
            scans = [row[3] for row in plan if str(row[3]).startswith("SCAN records")]
            if scans and "LIMIT 1" not in statement:
                found.append(statement)
        return found
    finally:
        db.close()


def of_records(sql: list[str]) -> list[str]:
    """The statements that read `records`, a step into an end of its key aside."""
    return [s for s in sql if "FROM records" in s and "LIMIT 1" not in s]


def database_of(harness: Harness) -> Path:
    return Path(harness.env["SPOTIVIZ_DATA_DIR"]) / "history.sqlite3"


def sql_of(harness: Harness, monkeypatch: pytest.MonkeyPatch, *args: str) -> list[str]:
    results: list[Any] = []
    sql = statements(monkeypatch, lambda: results.append(harness.run(*args)))
    assert results[0].exit_code == 0, results[0].output
    return sql


@pytest.mark.parametrize(
    "view",
    [
        ["history", "stats", "--json"],
        ["history", "stats"],
        ["history", "top", "tracks", "--limit", "1000", "--json"],
        ["history", "top", "shows", "--json"],
        ["history", "rediscover", "--json"],
    ],
)
def test_all_time_reads_the_summary_tables_not_the_records(
    history: Harness, monkeypatch: pytest.MonkeyPatch, view: list[str]
) -> None:
    sql = sql_of(history, monkeypatch, *view)
    assert any("FROM song_totals" in s for s in sql)
    assert of_records(sql) == []


@pytest.mark.parametrize(
    "view",
    [
        ["history", "stats", "--year", "2025", "--json"],
        ["history", "stats", "--last", "30d", "--json"],
        ["history", "top", "albums", "--year", "2025", "--json"],
        ["wrapped", "--year", "2025", "--json"],
        ["report", "--year", "2025", "--force"],
    ],
)
def test_a_period_reads_a_range_of_the_key(
    history: Harness, monkeypatch: pytest.MonkeyPatch, view: list[str]
) -> None:
    sql = sql_of(history, monkeypatch, *view)
    assert of_records(sql)  # its songs, from its own records
    assert full_scans(database_of(history), sql) == []


def test_the_item_views_read_the_records_of_their_period(
    history: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    sql = sql_of(history, monkeypatch, "history", "artist", "a1", "--json")
    reads = of_records(sql)
    assert len(reads) == 1 and "ORDER BY ended_at" in reads[0]  # the artist's records, in time order
    assert full_scans(database_of(history), sql) == []


@pytest.mark.parametrize(
    "view", [["history", "stats", "--year", "2025", "--json"], ["wrapped", "--year", "2025"]]
)
def test_a_year_and_the_one_before_read_their_songs_from_the_year_sums(
    history: Harness, monkeypatch: pytest.MonkeyPatch, view: list[str]
) -> None:
    sql = sql_of(history, monkeypatch, *view)
    by_year = [s for s in sql if "FROM song_years" in s]
    assert len(by_year) == 2  # 2025 and 2024
    assert [s for s in of_records(sql) if "GROUP BY song" in s] == []
    assert full_scans(database_of(history), sql) == []


def test_a_span_of_years_sums_its_whole_years_and_reads_the_days_at_its_ends(
    history: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    sql = sql_of(history, monkeypatch, "history", "stats", "--since", "2024-03-01", "--until", "2026-01-31")
    assert any("FROM song_years" in s for s in sql)
    assert (
        len([s for s in of_records(sql) if "GROUP BY song" in s]) >= 2
    )  # March to December 2024, January 2026
    assert full_scans(database_of(history), sql) == []


def test_the_all_time_report_reads_its_artists_by_the_artist_index(
    history: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    sql = sql_of(history, monkeypatch, "report", "--force")
    assert of_records(sql) == [s for s in sql if "FROM records" in s and "artist IN" in s]
    assert full_scans(database_of(history), sql) == []
