"""history import: both export kinds, old and new field names, podcasts, odd rows, bad files, zips, de-duplication."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Harness


def extended(
    ts: str, track: str | None = "Song", artist: str | None = "Band", ms: int = 200_000, **extra: Any
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "ts": ts,
        "platform": "android",
        "ms_played": ms,
        "conn_country": "DE",
        "ip_addr": "192.0.2.1",
        "master_metadata_track_name": track,
        "master_metadata_album_artist_name": artist,
        "master_metadata_album_album_name": "Record" if track else None,
        "spotify_track_uri": f"spotify:track:{track}" if track else None,
        "episode_name": None,
        "episode_show_name": None,
        "spotify_episode_uri": None,
        "reason_start": "trackdone",
        "reason_end": "trackdone",
        "shuffle": False,
        "skipped": None,
        "offline": False,
        "offline_timestamp": None,
        "incognito_mode": False,
    }
    record.update(extra)
    return record


def old_extended(ts: str, track: str, artist: str, ms: int) -> dict[str, Any]:
    """Before November 2024: ip_addr_decrypted, username and user_agent_decrypted."""
    record = extended(ts, track, artist, ms)
    del record["ip_addr"]
    record.update(ip_addr_decrypted="192.0.2.1", username="someone", user_agent_decrypted="unknown")
    return record


def write(path: Path, records: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


def rows(
    h: Harness,
    sql: str = "SELECT kind, source, artist, track, ms_played, ended_at FROM records WHERE merged = 0 ORDER BY ended_at",
) -> list[tuple[Any, ...]]:
    with sqlite3.connect(Path(h.env["SPOTIVIZ_DATA_DIR"]) / "history.sqlite3") as db:
        return db.execute(sql).fetchall()


EXPORT = [
    extended("2024-03-01T10:00:00Z", "Alpha", "Band", 200_000, skipped=False, shuffle=True),
    extended("2024-03-01T10:04:00Z", "Beta", "Band", 10_000, skipped=True, reason_end="fwdbtn"),
    extended(
        "2024-03-01T11:00:00Z",
        None,
        None,
        1_500_000,
        episode_name="Ep 1",
        episode_show_name="Talk",
        spotify_episode_uri="spotify:episode:1",
    ),
    extended("2024-03-01T12:00:00Z", None, None, 5_000),  # neither track nor episode: noise
    extended("2024-03-01T13:00:00Z", None, "Band", 60_000, spotify_track_uri="spotify:track:x"),  # null name
]


def test_extended_export_new_field_names(harness: Harness, tmp_path: Path) -> None:
    path = write(tmp_path / "Streaming_History_Audio_2024_0.json", EXPORT)
    result = harness.run("history", "import", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "Read 5 records from 1 file, from 2024-03-01 to 2024-03-01.",
        "  4 added to your history",
        "  0 already there, or the same listen as another source's record",
        "  1 left out: no track, episode or book",
    ]
    assert rows(harness) == [
        ("music", "extended", "Band", "Alpha", 200_000, 1709287200000),
        ("music", "extended", "Band", "Beta", 10_000, 1709287440000),
        ("episode", "extended", "Talk", "Ep 1", 1_500_000, 1709290800000),
        ("music", "extended", "Band", "", 60_000, 1709298000000),
    ]
    assert rows(
        harness, "SELECT skipped, shuffle, reason_end, platform, album FROM records WHERE track = 'Beta'"
    ) == [(1, 0, "fwdbtn", "android", "Record")]


def test_old_field_names_and_endsong_files(harness: Harness, tmp_path: Path) -> None:
    folder = tmp_path / "MyData"
    write(folder / "endsong_0.json", [old_extended("2019-05-01T08:00:00Z", "Old", "Timer", 180_000)])
    write(folder / "Read_Me_First.json", {"not": "history"})  # other files in the export are left alone
    result = harness.run("history", "import", str(folder))
    assert result.exit_code == 0, result.output
    assert rows(harness) == [("music", "extended", "Timer", "Old", 180_000, 1556697600000)]


def test_offline_timestamp_in_seconds_and_milliseconds(harness: Harness, tmp_path: Path) -> None:
    path = write(
        tmp_path / "Streaming_History_Audio_2023.json",
        [
            extended("2023-01-01T10:00:00Z", "Secs", offline=True, offline_timestamp=1672567000),
            extended("2023-01-01T11:00:00Z", "Millis", offline=True, offline_timestamp=1672567000123),
        ],
    )
    assert harness.run("history", "import", str(path)).exit_code == 0
    assert rows(harness, "SELECT track, offline_at FROM records ORDER BY track") == [
        ("Millis", 1672567000123),
        ("Secs", 1672567000000),
    ]


def test_account_data_music_and_podcasts_old_and_new_names(harness: Harness, tmp_path: Path) -> None:
    folder = tmp_path / "Spotify Account Data"
    write(folder / "StreamingHistory_music_0.json", [
        {"endTime": "2024-03-01 10:00", "artistName": "Band", "trackName": "Alpha", "msPlayed": 200_000},
        {"endTime": "2024-03-02 09:30", "msPlayed": 42_000},  # 2025 exports: names missing on some rows
    ])  # fmt: skip
    write(folder / "StreamingHistory0.json", [
        {"endTime": "2021-07-04 21:15", "artistName": "Older", "trackName": "Format", "msPlayed": 90_000},
    ])  # fmt: skip
    write(folder / "StreamingHistory_podcast_0.json", [
        {"endTime": "2024-03-01 07:00", "podcastName": "Talk", "episodeName": "Ep 2", "msPlayed": 900_000},
    ])  # fmt: skip
    result = harness.run("history", "import", str(folder))
    assert result.exit_code == 0, result.output
    assert "Read 4 records from 3 files" in result.stdout and "4 added" in result.stdout
    assert rows(harness) == [
        ("music", "account", "Older", "Format", 90_000, 1625433300000),
        ("episode", "account", "Talk", "Ep 2", 900_000, 1709276400000),
        ("music", "account", "Band", "Alpha", 200_000, 1709287200000),
        ("music", "account", "", "", 42_000, 1709371800000),
    ]


def test_importing_twice_adds_nothing_twice(harness: Harness, tmp_path: Path) -> None:
    path = write(tmp_path / "Streaming_History_Audio_2024_0.json", EXPORT)
    assert harness.run("history", "import", str(path)).exit_code == 0
    again = harness.run("history", "import", str(path), "--json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout) | {"database": None} == {
        "files": 1, "records": 5, "added": 0, "duplicates": 4, "skipped": {"no track, episode or book": 1},
        "ignored_files": [], "first": "2024-03-01", "last": "2024-03-01", "database": None,
    }  # fmt: skip
    assert len(rows(harness)) == 4


def test_account_export_overlapping_the_extended_one_adds_nothing(harness: Harness, tmp_path: Path) -> None:
    write(tmp_path / "ext" / "Streaming_History_Audio_2024_0.json", EXPORT)
    write(tmp_path / "acc" / "StreamingHistory_music_0.json", [
        # the same two plays, as the account data records them: minute precision, no URIs
        {"endTime": "2024-03-01 10:00", "artistName": "Band", "trackName": "Alpha", "msPlayed": 200_000},
        {"endTime": "2024-03-01 10:04", "artistName": "Band", "trackName": "Beta", "msPlayed": 10_000},
        {"endTime": "2024-03-05 18:00", "artistName": "Band", "trackName": "New", "msPlayed": 100_000},
    ])  # fmt: skip
    assert harness.run("history", "import", str(tmp_path / "ext")).exit_code == 0
    result = harness.run("history", "import", str(tmp_path / "acc"))
    assert result.exit_code == 0, result.output
    assert "  1 added to your history" in result.stdout and "  2 already there" in result.stdout
    assert len(rows(harness)) == 5


def test_the_zip_as_spotify_sends_it(harness: Harness, tmp_path: Path) -> None:
    archive = tmp_path / "my_spotify_data.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(
            "Spotify Extended Streaming History/Streaming_History_Audio_2024_0.json", json.dumps(EXPORT)
        )
        z.writestr("Spotify Extended Streaming History/ReadMeFirst_ExtendedStreamingHistory.pdf", b"%PDF")
        z.writestr(
            "__MACOSX/Spotify Extended Streaming History/._Streaming_History_Audio_2024_0.json", b"\x00junk"
        )
    result = harness.run("history", "import", str(archive))
    assert result.exit_code == 0, result.output
    assert "Read 5 records from 1 file" in result.stdout and "  4 added" in result.stdout


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"{not json", "not JSON"),
        (b'{"a": 1}', "not a list of plays"),
        (b'[{"song": "x"}]', "neither 'ts' nor 'endTime'"),
        (
            json.dumps([extended("2024-01-01T00:00:00Z"), {"ts": "yesterday", "ms_played": 5}]).encode(),
            "record 2",
        ),
        (json.dumps([{"endTime": "2024-01-01 00:00", "msPlayed": "lots"}]).encode(), "record 1"),
    ],
)
def test_a_bad_file_is_named_and_nothing_is_kept(
    harness: Harness, tmp_path: Path, content: bytes, why: str
) -> None:
    good = write(tmp_path / "a" / "Streaming_History_Audio_2024_0.json", EXPORT)
    bad = tmp_path / "a" / "Streaming_History_Audio_2024_1.json"
    bad.write_bytes(content)
    result = harness.run("history", "import", str(good.parent))
    assert result.exit_code == 1
    assert (
        str(bad) in result.stderr
        and why in result.stderr
        and "Nothing from this import was kept" in result.stderr
    )
    assert "Traceback" not in result.output
    # the good file before it was rolled back too, and a first import leaves no empty database behind
    assert not (Path(harness.env["SPOTIVIZ_DATA_DIR"]) / "history.sqlite3").exists()


def test_paths_that_are_not_exports(harness: Harness, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hi")
    missing = harness.run("history", "import", str(tmp_path / "nope.zip"))
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    wrong = harness.run("history", "import", str(tmp_path / "notes.txt"))
    assert wrong.exit_code == 2 and "not a .zip, a folder or a .json file" in wrong.stderr
    empty = harness.run("history", "import", str(tmp_path))
    assert empty.exit_code == 2 and "No streaming-history files" in empty.stderr
    not_zip = tmp_path / "broken.zip"
    not_zip.write_bytes(b"PK not really")
    assert harness.run("history", "import", str(not_zip)).exit_code == 1


def test_the_database_has_a_schema_version_and_refuses_a_newer_one(harness: Harness, tmp_path: Path) -> None:
    path = write(tmp_path / "Streaming_History_Audio_2024_0.json", EXPORT)
    assert harness.run("history", "import", str(path)).exit_code == 0
    db_path = Path(harness.env["SPOTIVIZ_DATA_DIR"]) / "history.sqlite3"
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (4,)
        db.execute("PRAGMA user_version = 99")
    result = harness.run("history", "stats")
    assert result.exit_code == 1 and "newer spotiviz" in result.stderr


def test_a_busy_database_is_a_clear_error(harness: Harness, tmp_path: Path) -> None:
    from spotiviz_cli.errors import SpotivizError
    from spotiviz_cli.history.store import HistoryStore

    db_path = tmp_path / "history.sqlite3"
    # a long import holds the write lock while a sync wants it
    with (
        HistoryStore(db_path) as importing,
        importing.transaction(),
        HistoryStore(db_path, busy_timeout=0.1) as syncing,
    ):
        with pytest.raises(SpotivizError, match="is busy") as caught, syncing.transaction():
            pass
        assert "try again" in (caught.value.hint or "")


def test_a_database_of_the_previous_schema_is_upgraded_and_its_copies_of_one_listen_merged(
    harness: Harness,
) -> None:
    """Schema 1 kept a synced play and the export's record of the same listen as two plays, and let in
    records no import accepts now (year 1, which broke every `history stats`)."""
    from spotiviz_cli.history.store import MIGRATIONS

    path = Path(harness.env["SPOTIVIZ_DATA_DIR"]) / "history.sqlite3"
    path.parent.mkdir(parents=True)
    end = 1709287200000  # 2024-03-01 10:00 UTC
    with sqlite3.connect(path) as db:
        db.executescript(MIGRATIONS[0])
        db.executemany(
            "INSERT INTO plays (ended_minute, artist, track, ms_played, ended_at, uri, kind, source, skipped) "
            "VALUES (?, ?, ?, ?, ?, ?, 'music', ?, ?)",
            [
                (end // 60000, "Band", "Alpha", 150_000, end, "spotify:track:a", "extended", 1),
                (
                    end // 60000,
                    "Band",
                    "Alpha",
                    200_000,
                    end,
                    "spotify:track:a",
                    "sync",
                    None,
                ),  # the same listen
                (end // 60000 + 10, "Band", "Beta", 200_000, end + 600_000, "spotify:track:b", "sync", None),
                (-62135596800000 // 60000, "Band", "Old", 1000, -62135596800000, None, "extended", None),
            ],
        )
        db.execute("PRAGMA user_version = 1")
    result = harness.run("history", "stats", "--json")  # a read-only command upgrades it once
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["plays"] == 2 and figures["minutes"] == pytest.approx(2.5 + 200 / 60)
    assert figures["skip_rate"] == 1.0
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (4,)
        assert db.execute(
            "SELECT track, source, merged FROM records ORDER BY ended_at, source"
        ).fetchall() == [
            ("Alpha", "extended", 0),
            ("Alpha", "sync", 1),
            ("Beta", "sync", 0),
        ]


def test_a_database_of_schema_3_gains_the_year_sums_and_gives_the_same_figures(
    harness: Harness, tmp_path: Path
) -> None:
    path = write(tmp_path / "Streaming_History_Audio_2024_0.json", EXPORT)
    assert harness.run("history", "import", str(path)).exit_code == 0
    year = json.loads(harness.run("history", "stats", "--year", "2024", "--json").stdout)
    db_path = Path(harness.env["SPOTIVIZ_DATA_DIR"]) / "history.sqlite3"
    with sqlite3.connect(db_path) as db:  # as spotiviz 0.1 with schema 3 left it
        db.execute("DROP TABLE song_years")
        db.execute("PRAGMA user_version = 3")
    again = harness.run("history", "stats", "--year", "2024", "--json")  # upgrades it once
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout) == year and year["plays"] > 0
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (4,)
        assert db.execute("SELECT year, SUM(plays) FROM song_years GROUP BY year").fetchall() == [
            (2024, year["plays"])
        ]
