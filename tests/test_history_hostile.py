"""Nothing from outside is trusted: every bad record, file, zip, period and environment fault is one line that
names it, with exit 1 or 2, and the history is exactly as it was."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tracemalloc
import zipfile
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from spotiviz_cli.errors import SpotivizError
from spotiviz_cli.history import actions
from spotiviz_cli.services import Services
from tests.conftest import Harness
from tests.test_history_import import EXPORT, extended, write

ROOT = Path(__file__).resolve().parent.parent


def db_path(h: Harness) -> Path:
    return Path(h.env["SPOTIVIZ_DATA_DIR"]) / "history.sqlite3"


def dump(h: Harness) -> list[Any]:
    with sqlite3.connect(db_path(h)) as db:
        return [
            db.execute("SELECT * FROM records ORDER BY ended_at, source, artist, track").fetchall(),
            db.execute("SELECT * FROM meta ORDER BY key").fetchall(),
        ]


@pytest.fixture
def history(harness: Harness, tmp_path: Path) -> Harness:
    """A history with one good import in it already."""
    good = write(tmp_path / "first" / "Streaming_History_Audio_2024_0.json", EXPORT)
    assert harness.run("history", "import", str(good)).exit_code == 0
    return harness


def one_line_error(result: Any, exit_code: int = 1) -> str:
    assert result.exit_code == exit_code, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: "), result.stderr
    assert "Unexpected" not in result.stderr and "Traceback" not in result.output
    return str(result.stderr)


GOOD = extended("2024-05-01T10:00:00Z", "Fine", "Band")


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (
            json.dumps([GOOD, extended("0001-01-01T00:00:00Z")]),
            "record 2 ends at 0001-01-01T00:00:00Z, not between 2006",
        ),
        (json.dumps([GOOD, extended("9999-12-31T23:59:59Z")]), "record 2 ends at 9999-12-31T23:59:59Z"),
        (json.dumps([extended("2005-12-31T23:59:59Z")]), "record 1 ends at 2005-12-31"),
        (json.dumps([extended("2024-13-01T00:00:00Z")]), "record 1 has no valid 'ts'"),
        (json.dumps([extended("2024-02-30T10:00:00Z")]), "record 1 has no valid 'ts'"),
        (json.dumps([{**GOOD, "ts": 1714557600}]), "record 1 has no valid 'ts' (it is 1714557600)"),
        (json.dumps([{**GOOD, "ts": None}]), "record 1 has no valid 'ts'"),
        (json.dumps([GOOD, GOOD, extended("2024-05-01T10:00:00Z", ms=-1)]), "record 3 has 'ms_played' -1"),
        (json.dumps([extended("2024-05-01T10:00:00Z", ms=2**70)]), "'ms_played' 1180591620717411303424"),
        (
            json.dumps([extended("2024-05-01T10:00:00Z", ms=86_400_001)]),
            "not a whole number of ms up to 24 hours",
        ),
        (json.dumps([{**GOOD, "ms_played": 1.5}]), "'ms_played' 1.5"),
        (json.dumps([{**GOOD, "ms_played": True}]), "'ms_played' True"),
        (json.dumps([{**GOOD, "ms_played": "200000"}]), "'ms_played' '200000'"),
        (
            json.dumps([{**GOOD, "master_metadata_track_name": {"a": 1}}]),
            "'master_metadata_track_name' {'a': 1}",
        ),
        (json.dumps([{**GOOD, "master_metadata_album_artist_name": ["x"] * 100}]), "not text or null"),
        (json.dumps([{**GOOD, "platform": 7}]), "'platform' 7, not text or null"),
        (json.dumps([{**GOOD, "skipped": "yes"}]), "'skipped' 'yes', not true, false or null"),
        (json.dumps([GOOD, [1, 2]]), "record 2 is [1, 2], not a play"),
        (json.dumps([GOOD, "x" * 5000]), "record 2 is 'xxxxxxxx"),
        ('[{"ts": "2024-05-01T10:00:00Z", "ms_played": NaN}]', "not JSON (NaN is not a number JSON allows)"),
        ('[{"ts": "2024-05-01T10:00:00Z", "ms_played": Infinity}]', "not JSON"),
        ("[" * 100_000 + "]" * 100_000, "not JSON (nested too deeply)"),
        ("[" + "9" * 5000 + "]", "not JSON"),
        ('{"plays": []}', "not a list of plays"),
        ("[1, 2, 3]", "neither 'ts' nor 'endTime'"),
        ('[{"ts": "2024-05-01T10:00:00Z", "ms_played": 5, "x": "\udcff"}]', "not JSON"),
    ],
)
def test_a_bad_extended_record_fails_the_run_and_keeps_nothing(
    history: Harness, tmp_path: Path, content: str, says: str
) -> None:
    before = dump(history)
    folder = tmp_path / "export"
    write(folder / "Streaming_History_Audio_2024_0.json", [extended("2024-04-01T10:00:00Z", "Other")])
    bad = folder / "Streaming_History_Audio_2024_1.json"
    bad.write_bytes(content.encode("utf-8", "surrogateescape"))
    stderr = one_line_error(history.run("history", "import", str(folder)))
    assert f"{bad} cannot be imported: " in stderr and says in stderr, stderr
    assert "Nothing from this import was kept" in stderr
    assert dump(history) == before


@pytest.mark.parametrize(
    ("record", "says"),
    [
        ({"endTime": "0001-01-01 00:00", "msPlayed": 5}, "record 1 ends at 0001-01-01 00:00"),
        ({"endTime": "2024-05-01T10:00", "msPlayed": 5}, "record 1 has no valid 'endTime'"),
        ({"endTime": "2024-05-01 10:00", "msPlayed": -5}, "'msPlayed' -5"),
        ({"endTime": "2024-05-01 10:00", "msPlayed": 5, "trackName": 5}, "'trackName' 5, not text or null"),
        ({"endTime": "2024-05-01 10:00", "msPlayed": 5, "podcastName": {}}, "'podcastName' {}"),
    ],
)
def test_a_bad_account_record_fails_the_run_and_keeps_nothing(
    history: Harness, tmp_path: Path, record: dict[str, Any], says: str
) -> None:
    before = dump(history)
    bad = write(tmp_path / "StreamingHistory_music_0.json", [record])
    stderr = one_line_error(history.run("history", "import", str(bad)))
    assert str(bad) in stderr and says in stderr, stderr
    assert dump(history) == before


# ---------------------------------------------------------------- files and zips


def zip_with(path: Path, members: dict[str, bytes], **options: Any) -> Path:
    with zipfile.ZipFile(path, "w", **options) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def patched_zip(path: Path, local_offset: int, central_offset: int, value: int) -> Path:
    """A one-member zip with a 2-byte field set to `value` in both of the member's headers."""
    zip_with(
        path,
        {
            "Spotify Extended Streaming History/Streaming_History_Audio_2024_0.json": json.dumps(
                EXPORT
            ).encode()
        },
    )
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", local_offset), (b"PK\x01\x02", central_offset)):
        at = data.find(signature) + offset
        data[at : at + 2] = value.to_bytes(2, "little")
    path.write_bytes(bytes(data))
    return path


def encrypted_zip(path: Path) -> Path:
    """What a password-protected export looks like to zipfile: bit 0 of the general-purpose flags."""
    return patched_zip(path, 6, 8, 0x1)


def deflate64_zip(path: Path) -> Path:
    """A member compressed with a method Python does not read (9, Deflate64)."""
    return patched_zip(path, 8, 10, 9)


def corrupt_member_zip(path: Path) -> Path:
    zip_with(path, {"Streaming_History_Audio_2024_0.json": json.dumps(EXPORT).encode()})
    data = bytearray(path.read_bytes())
    at = data.find(b"Alpha")  # inside the stored member: the CRC no longer matches
    data[at : at + 5] = b"Omega"
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (encrypted_zip, "it is encrypted; unzip it with its password"),
        (deflate64_zip, "compressed with a method Python cannot read (zip method 9)"),
        (corrupt_member_zip, "it cannot be read (Bad CRC-32"),
        (lambda p: (p.write_bytes(b"PK\x03\x04 not really"), p)[1], "not a readable zip"),
        (
            lambda p: zip_with(
                p,
                {"Streaming_History_Audio_2024_0.json": b" " * (3 * 2**20)},
                compression=zipfile.ZIP_DEFLATED,
            ),
            "it is 3.0 MiB, over the limit of 2 MiB",
        ),
    ],
)
def test_a_zip_that_cannot_be_read_is_named_as_such(
    history: Harness, tmp_path: Path, make: Callable[[Path], Path], says: str
) -> None:
    before = dump(history)
    archive = make(tmp_path / "my_spotify_data.zip")
    history.env["SPOTIVIZ_MAX_IMPORT_MB"] = "2"
    stderr = one_line_error(history.run("history", "import", str(archive)))
    assert str(archive) in stderr and says in stderr, stderr
    assert dump(history) == before


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "Streaming_History_Audio_2024_0.json"
    big.write_text(json.dumps([extended("2024-05-01T10:00:00Z")] * 60_000))  # about 30 MB
    services = Services(environ={"SPOTIVIZ_DATA_DIR": str(tmp_path / "data"), "SPOTIVIZ_MAX_IMPORT_MB": "1"})
    tracemalloc.start()
    try:
        with pytest.raises(SpotivizError, match="over the limit of 1 MiB"):
            actions.import_paths(services, [big])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert big.stat().st_size > 25 * 2**20
    assert peak < 2 * 2**20  # memory does not follow the file's size: it was never read
    assert not (tmp_path / "data" / "history.sqlite3").exists()


def test_a_zip_is_opened_once_whatever_its_number_of_members(harness: Harness, tmp_path: Path) -> None:
    members = {
        f"Spotify Extended Streaming History/Streaming_History_Audio_2024_{n}.json": json.dumps(
            [extended(f"2024-05-01T{n // 60:02d}:{n % 60:02d}:00Z", f"Song {n}")]
        ).encode()
        for n in range(400)
    }
    members.update({f"Spotify Account Data/Playlist{n}.json": b"{}" for n in range(100)})
    archive = zip_with(tmp_path / "my_spotify_data.zip", members)
    opened: list[str] = []
    counting = [True]

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if counting[0] and event == "open" and str(args[0]) == str(archive):
            opened.append(event)

    sys.addaudithook(hook)  # audit hooks cannot be removed: this one stops counting after the test
    try:
        result = harness.run("history", "import", str(archive), "--json")
    finally:
        counting[0] = False
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["files"] == 400 and data["added"] == 400
    assert len(data["ignored_files"]) == 100 and data["ignored_files"][0]["reason"] == "not listening history"
    assert len(opened) == 1


def test_something_that_is_not_a_regular_file_is_refused(history: Harness, tmp_path: Path) -> None:
    before = dump(history)
    folder = tmp_path / "export"
    folder.mkdir()
    fifo = folder / "Streaming_History_Audio_2024_0.json"
    os.mkfifo(fifo)
    stderr = one_line_error(history.run("history", "import", str(folder)))
    assert f"{fifo} cannot be imported: it is not a regular file" in stderr
    direct = one_line_error(history.run("history", "import", str(fifo)), exit_code=2)
    assert f"{fifo} is not a regular file" in direct
    assert dump(history) == before


def test_every_record_is_accounted_for(harness: Harness, tmp_path: Path) -> None:
    folder = tmp_path / "my_spotify_data"
    write(folder / "Spotify Extended Streaming History" / "Streaming_History_Audio_2024_0.json", [
        extended("2024-03-01T10:00:00Z", "Alpha"),
        extended("2024-03-01T10:00:00Z", "Alpha"),  # the same record twice in one file
        extended("2024-03-01T10:05:00Z", None, None),  # nothing played: no track, episode or book
        extended("2024-03-01T11:00:00Z", None, None, audiobook_title="A Book", audiobook_chapter_title="Ch. 1",
                 audiobook_uri="spotify:show:b"),
    ])  # fmt: skip
    write(folder / "Spotify Extended Streaming History" / "Streaming_History_Video_2024.json", [{"ts": "x"}])
    write(folder / "Spotify Account Data" / "StreamingHistory_music_0.json", [
        {"endTime": "2024-03-01 10:00", "artistName": "Band", "trackName": "Alpha", "msPlayed": 200_000},  # merged
        {"endTime": "2024-03-02 10:00", "artistName": "Band", "trackName": "Beta", "msPlayed": 100_000},
    ])  # fmt: skip
    write(folder / "Spotify Account Data" / "StreamingHistory_audiobook_0.json", [
        {"endTime": "2024-03-03 21:00", "audiobookName": "Another Book", "chapterName": "Ch. 9",
         "authorName": "Someone", "msPlayed": 600_000},
    ])  # fmt: skip
    write(folder / "Spotify Account Data" / "Playlist1.json", {"playlists": []})
    (folder / "Spotify Account Data" / "Read_Me_First.pdf").write_bytes(b"%PDF")
    result = harness.run("history", "import", str(folder), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["records"] == 7 == data["added"] + data["duplicates"] + sum(data["skipped"].values())
    assert (data["added"], data["duplicates"], data["skipped"]) == (4, 2, {"no track, episode or book": 1})
    assert sorted((Path(i["file"]).name, i["reason"].split(":")[0]) for i in data["ignored_files"]) == [
        ("Playlist1.json", "not listening history"),
        ("Read_Me_First.pdf", "not listening history"),
        ("Streaming_History_Video_2024.json", "video history"),
    ]
    with sqlite3.connect(db_path(harness)) as db:
        books = db.execute(
            "SELECT source, artist, track FROM records WHERE kind = 'audiobook' ORDER BY ended_at"
        )
        assert books.fetchall() == [("extended", "A Book", "Ch. 1"), ("account", "Another Book", "Ch. 9")]
    text = harness.run("history", "import", str(folder))
    assert text.exit_code == 0
    assert text.stdout.startswith("Read 7 records from 3 files, from 2024-03-01 to 2024-03-03.")
    assert (
        "  0 added to your history" in text.stdout
        and "  1 left out: no track, episode or book" in text.stdout
    )
    assert (
        "Ignored 1 file (video history" in text.stderr
        and "Ignored 2 files (not listening history)" in text.stderr
    )
    named = harness.run(
        "history",
        "import",
        str(folder / "Spotify Extended Streaming History" / "Streaming_History_Video_2024.json"),
    )
    assert named.exit_code == 2 and "No streaming-history files" in named.stderr  # not read as music


# ---------------------------------------------------------------- periods


@pytest.mark.parametrize(
    "args",
    [
        ["--year", "0"],
        ["--year", "24"],
        ["--year", "1899"],
        ["--year", "2101"],
        ["--year", "99999"],
        ["--since", "0001-01-01"],
        ["--until", "9999-12-31"],
    ],
)
def test_periods_outside_1900_to_2100_are_usage_errors(history: Harness, args: list[str]) -> None:
    stderr = one_line_error(history.run("history", "stats", *args), exit_code=2)
    assert "from 1900 to 2100" in stderr
    wrapped = history.run("wrapped", *args) if args[0] == "--year" else None
    if wrapped is not None:
        assert "from 1900 to 2100" in one_line_error(wrapped, exit_code=2)


@pytest.mark.parametrize("args", [["--since", "2030-01-01"], ["--until", "2010-01-01"], ["--year", "2100"]])
def test_open_ended_periods_with_no_plays_say_what_the_history_covers(
    history: Harness, args: list[str]
) -> None:
    result = history.run("history", "stats", *args, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["plays"] == 0
    assert "Your history covers 2024-03-01 to 2024-03-01." in result.stderr


# ---------------------------------------------------------------- the environment


def test_a_data_folder_that_is_a_file(harness: Harness, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "data-file"
    not_a_folder.write_text("x")
    harness.env["SPOTIVIZ_DATA_DIR"] = str(not_a_folder)
    export = write(tmp_path / "Streaming_History_Audio_2024_0.json", EXPORT)
    stderr = one_line_error(harness.run("history", "import", str(export)))
    assert f"{not_a_folder} is not a folder" in stderr and "SPOTIVIZ_DATA_DIR" in stderr
    assert "history import" in one_line_error(
        harness.run("history", "stats")
    )  # no history there: how to make one


def test_a_damaged_database_is_named(harness: Harness, tmp_path: Path) -> None:
    data = Path(harness.env["SPOTIVIZ_DATA_DIR"])
    data.mkdir(parents=True)
    (data / "history.sqlite3").write_bytes(b"this is not SQLite" * 100)
    for args in (
        ["history", "stats"],
        ["history", "import", str(write(tmp_path / "StreamingHistory0.json", []))],
    ):
        stderr = one_line_error(harness.run(*args))
        assert "is not a spotiviz history database, or it is damaged" in stderr and "Move it away" in stderr


def run_cli_in_mount_namespace(
    setup: str, args: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """`spotiviz ARGS` in a private mount namespace after the shell commands `setup` (mounts only it sees).

    Root is needed for the mounts (`unshare -r` maps an ordinary user to root for that); skipped where the
    system allows neither. Permission tests need this because root ignores file modes."""
    if not shutil.which("unshare"):
        pytest.skip("unshare is not installed")
    flags = ["-m"] if os.geteuid() == 0 else ["-r", "-m"]
    command = f'{setup} && exec "$0" -m spotiviz_cli "$@"'
    probe = subprocess.run(["unshare", *flags, "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a mount namespace here: {probe.stderr.decode().strip()}")
    full_env = {"PATH": os.environ["PATH"], "NO_COLOR": "1", "COLUMNS": "200", "TZ": "UTC", **env}
    return subprocess.run(
        ["unshare", *flags, "sh", "-c", command, sys.executable, *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=ROOT,
        timeout=120,
    )


def test_a_full_disk_is_named_and_nothing_is_half_written(history: Harness, tmp_path: Path) -> None:
    data = Path(history.env["SPOTIVIZ_DATA_DIR"])
    big = write(
        tmp_path / "big" / "Streaming_History_Audio_2025_0.json",
        [
            extended(f"2025-01-{d:02d}T{h:02d}:{m:02d}:00Z", f"Song {d} {h} {m}")
            for d in range(1, 29)
            for h in range(24)
            for m in range(0, 60, 5)
        ],
    )
    before = dump(history)
    small = tmp_path / "small"
    small.mkdir()
    # a 200 KiB disk holding a copy of the history: the import of 8,000 records cannot fit
    setup = f"mount -t tmpfs -o size=200k tmpfs {small} && cp {data}/history.sqlite3 {small}/"
    result = run_cli_in_mount_namespace(
        setup, ["history", "import", str(big)], {"SPOTIVIZ_DATA_DIR": str(small)}
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1 and "is full; nothing was changed" in result.stderr, result.stderr
    assert "Free some space" in result.stderr
    check = run_cli_in_mount_namespace(
        setup, ["history", "stats", "--json"], {"SPOTIVIZ_DATA_DIR": str(small)}
    )
    assert check.returncode == 0 and json.loads(check.stdout)["plays"] == 2  # the copy as it was
    assert dump(history) == before


def test_stats_on_a_read_only_history_and_an_import_into_it(history: Harness, tmp_path: Path) -> None:
    data = Path(history.env["SPOTIVIZ_DATA_DIR"])
    expected = json.loads(history.run("history", "stats", "--json").stdout)
    before = sorted(p.name for p in data.iterdir())
    setup = f"mount --bind {data} {data} && mount -o remount,bind,ro {data}"
    env = {"SPOTIVIZ_DATA_DIR": str(data)}
    result = run_cli_in_mount_namespace(setup, ["history", "stats", "--json"], env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected
    wrapped = run_cli_in_mount_namespace(setup, ["wrapped", "--year", "2024", "--json"], env)
    assert wrapped.returncode == 0, wrapped.stderr
    export = write(tmp_path / "Streaming_History_Audio_2025_0.json", [extended("2025-05-01T10:00:00Z")])
    refused = run_cli_in_mount_namespace(setup, ["history", "import", str(export)], env)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1, refused.stderr
    assert f"Cannot write the history database {data / 'history.sqlite3'}" in refused.stderr
    assert sorted(p.name for p in data.iterdir()) == before


def test_a_read_only_command_never_creates_a_database(harness: Harness) -> None:
    data = Path(harness.env["SPOTIVIZ_DATA_DIR"])
    data.mkdir(parents=True)
    for args in (["history", "stats"], ["wrapped", "--year", "2025"]):
        stderr = one_line_error(harness.run(*args))
        assert "There is no history at" in stderr and "spotiviz history import" in stderr
    assert list(data.iterdir()) == []


def test_now_is_the_limit_of_an_export(harness: Harness, tmp_path: Path) -> None:
    now = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)
    export = write(tmp_path / "Streaming_History_Audio_2024_0.json", EXPORT)  # ends 2024-03-01 13:00
    assert harness.run("history", "import", str(export), now=lambda: now).exit_code == 0  # within a day
    later = write(tmp_path / "Streaming_History_Audio_2024_1.json", [extended("2024-03-03T10:00:00Z")])
    stderr = one_line_error(harness.run("history", "import", str(later), now=lambda: now))
    assert "not between 2006 and tomorrow" in stderr
