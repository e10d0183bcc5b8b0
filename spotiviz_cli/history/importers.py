"""Spotify's privacy-export files -> checked history rows: finding them (zip, folder, files) and reading each kind.

Two kinds: the extended streaming history (`Streaming_History_Audio_*.json`, older `endsong_*.json`)
and the account data (`StreamingHistory_music_*.json`, older `StreamingHistory*.json`,
`StreamingHistory_podcast_*.json`, `StreamingHistory_audiobook_*.json`). The format is told by the
records themselves, so a renamed file still works.

This is the door for export data: every record is checked here (README, "Limits"), and a bad one fails
the whole import with the file and the record number. A file is refused before it is read when it is
over the size limit or not a regular file; a zip is opened once.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import re
import stat
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from spotiviz_cli.errors import SpotivizError, UsageProblem
from spotiviz_cli.history.store import ACCOUNT, AUDIOBOOK, EPISODE, EXTENDED, MUSIC, Row
from spotiviz_cli.models import parse_instant

HISTORY_NAME = re.compile(
    r"^(Streaming_History_Audio_.*|endsong.*|StreamingHistory_(music|podcast|audiobook)_.*"
    r"|StreamingHistory\d*)\.json$",
    re.IGNORECASE,
)
VIDEO_NAME = re.compile(r"^Streaming_History_Video_.*\.json$", re.IGNORECASE)
NOT_HISTORY = "not listening history"
VIDEO = "video history: spotiviz keeps what you listen to, not what you watch"
NO_CONTENT = "no track, episode or book"

EARLIEST_MS = int(datetime(2006, 1, 1, tzinfo=timezone.utc).timestamp() * 1000)  # Spotify's founding
DAY_MS = 86_400_000
MAX_MS_PLAYED = DAY_MS  # a record longer than a day is not a play
SUPPORTED_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
MIB = 2**20


class BadExport(SpotivizError):
    def __init__(self, name: str, why: str) -> None:
        self.file, self.why = name, why  # for the checker process to send back
        super().__init__(
            f"{name} cannot be imported: {why}. Nothing from this import was kept.",
            hint="Import the files from Spotify's export as they came: the .zip, its folder, or its "
            "Streaming_History_Audio_*.json / StreamingHistory_music_*.json files.",
        )


@dataclass(frozen=True)
class ExportFile:
    name: str  # as the user knows it: a path, or zip path!member
    size: int  # bytes, as the file system or the zip's directory says
    open: Callable[[], AbstractContextManager[IO[bytes]]]
    path: Path | None = None  # a file of its own (not a zip member): a second process may read it too


@dataclass(frozen=True)
class Ignored:
    file: str
    reason: str


@dataclass(frozen=True)
class FileRows:
    """One export file, checked: its rows, and how many records it held and which were left out why."""

    records: int
    rows: list[Row]
    skipped: Counter[str] = field(default_factory=Counter)


class ExportReader:
    """Finds and reads export files; a context manager, because the zips stay open until the import ends.

    `max_bytes`: no file or zip member larger than this is read (SPOTIVIZ_MAX_IMPORT_MB).
    `latest_ms`: no record may end after this (tomorrow, against a wrong clock on the phone)."""

    def __init__(self, *, max_bytes: int, latest_ms: int) -> None:
        self.max_bytes = max_bytes
        self.latest_ms = latest_ms
        self._open = ExitStack()

    def __enter__(self) -> ExportReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self._open.close()

    def find(self, paths: Sequence[Path]) -> tuple[list[ExportFile], list[Ignored]]:
        """The history files under `paths`, in a stable order, and the other files found beside them."""
        found: list[ExportFile] = []
        ignored: list[Ignored] = []
        for path in paths:
            try:
                info = path.stat()
            except FileNotFoundError:
                raise UsageProblem(f"{path} does not exist.") from None
            except OSError as exc:
                raise UsageProblem(f"{path} cannot be read: {exc.strerror or exc}.") from None
            if stat.S_ISDIR(info.st_mode):
                self._folder(path, found, ignored)
            elif not stat.S_ISREG(info.st_mode):
                raise UsageProblem(f"{path} is not a regular file, a folder or a zip.")
            elif path.suffix.lower() == ".zip":
                self._zip(path, found, ignored)
            elif VIDEO_NAME.match(path.name):
                ignored.append(Ignored(str(path), VIDEO))
            elif path.suffix.lower() == ".json":
                found.append(ExportFile(str(path), info.st_size, file_opener(path), path))
            else:
                raise UsageProblem(f"{path} is not a .zip, a folder or a .json file.")
        if not found:
            names = ", ".join(str(p) for p in paths)
            reasons = "; ".join(sorted({i.reason for i in ignored}))
            others = (
                f" (only {len(ignored)} other file{'s' * (len(ignored) != 1)}: {reasons})" if ignored else ""
            )
            raise UsageProblem(
                f"No streaming-history files in {names}{others}.",
                hint="Spotify's export holds Streaming_History_Audio_*.json (extended history) or "
                "StreamingHistory_music_*.json (account data).",
            )
        return found, ignored

    def _folder(self, folder: Path, found: list[ExportFile], ignored: list[Ignored]) -> None:
        entries: list[tuple[Path, os.stat_result]] = []
        for root, dirs, names in os.walk(folder):  # symlinked folders are not followed
            dirs.sort()
            for name in names:
                path = Path(root, name)
                try:
                    entries.append((path, path.stat()))
                except OSError:
                    ignored.append(Ignored(str(path), "cannot be read"))
        for path, info in sorted(entries, key=lambda e: _natural(str(e[0]))):
            if path.name.startswith("._"):
                continue  # macOS resource forks in copied folders
            if VIDEO_NAME.match(path.name):
                ignored.append(Ignored(str(path), VIDEO))
            elif not HISTORY_NAME.match(path.name):
                ignored.append(Ignored(str(path), NOT_HISTORY))
            elif not stat.S_ISREG(info.st_mode):
                raise BadExport(str(path), "it is not a regular file")
            else:
                found.append(ExportFile(str(path), info.st_size, file_opener(path), path))

    def _zip(self, path: Path, found: list[ExportFile], ignored: list[Ignored]) -> None:
        try:
            archive = self._open.enter_context(zipfile.ZipFile(path))
            members = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError) as exc:
            raise BadExport(str(path), f"not a readable zip ({exc})") from None
        for info in sorted(members, key=lambda i: _natural(i.filename)):
            name = info.filename.rsplit("/", 1)[-1]
            label = f"{path}!{info.filename}"
            if info.is_dir() or info.filename.startswith("__MACOSX/") or name.startswith("._"):
                continue
            if VIDEO_NAME.match(name):
                ignored.append(Ignored(label, VIDEO))
            elif not HISTORY_NAME.match(name):
                ignored.append(Ignored(label, NOT_HISTORY))
            elif info.flag_bits & 0x1:
                raise BadExport(label, "it is encrypted; unzip it with its password and import the folder")
            elif info.compress_type not in SUPPORTED_COMPRESSION:
                raise BadExport(
                    label,
                    f"it is compressed with a method Python cannot read (zip method {info.compress_type}); "
                    "unzip it with another tool and import the folder",
                )
            else:
                found.append(ExportFile(label, info.file_size, _member_opener(archive, info)))

    def read(self, file: ExportFile) -> FileRows:
        """The checked rows of one export file; a bad file or record raises BadExport."""
        return check(file.name, self._bytes(file), self.latest_ms)

    def read_all(self, files: Sequence[ExportFile]) -> Iterator[tuple[ExportFile, FileRows]]:
        """Each file and its checked rows, in order. A large import has two other processes check the
        next files while the caller stores this one: parsing and checking are over half of an import's
        work. They read files of their own themselves; zip members are read here (a zip is opened once)."""
        big = sum(f.size for f in files) >= PARALLEL_BYTES and len(files) > 2
        checkers = [c for c in (Checker.start(), Checker.start()) if c is not None] if big else []
        try:
            yield from self._checked_by(checkers, files) if checkers else ((f, self.read(f)) for f in files)
        finally:
            for checker in checkers:
                checker.close()

    def _checked_by(
        self, checkers: list[Checker], files: Sequence[ExportFile]
    ) -> Iterator[tuple[ExportFile, FileRows]]:
        """File i is checked by checker i % n, sent n files ahead; a checker that is gone is replaced by
        this process for the files left."""

        def send(index: int) -> None:
            if index < len(files):
                file = files[index]
                source: bytes | str = str(file.path) if file.path is not None else self._bytes(file)
                checkers[index % len(checkers)].send(
                    file.name, source, file.size, self.max_bytes, self.latest_ms
                )

        for index in range(len(checkers)):
            send(index)
        for index, file in enumerate(files):
            rows = checkers[index % len(checkers)].receive()
            if rows is None:
                for rest in files[index:]:
                    yield rest, self.read(rest)
                return
            send(index + len(checkers))
            yield file, rows

    def _bytes(self, file: ExportFile) -> bytes:
        return read_limited(file.name, file.size, file.open, self.max_bytes)


def read_limited(
    name: str, size: int, opener: Callable[[], AbstractContextManager[IO[bytes]]], limit: int
) -> bytes:
    """A file's bytes, never more than `limit` of them, whatever size it claims."""
    too_big = (
        f"it is {size / MIB:,.1f} MiB, over the limit of {limit / MIB:,.0f} MiB "
        "(real export files are under 20 MiB; SPOTIVIZ_MAX_IMPORT_MB raises the limit)"
    )
    if size > limit:
        raise BadExport(name, too_big)
    try:
        with opener() as handle:
            data = handle.read(limit + 1)
    except (OSError, zipfile.BadZipFile, EOFError, ValueError, RuntimeError) as exc:
        raise BadExport(name, f"it cannot be read ({exc})") from None
    if len(data) > limit:
        raise BadExport(name, too_big)
    return data


PARALLEL_BYTES = 32 * MIB  # from this much JSON on, a second process checks files (its start costs ~0.3 s)


class Checker:
    """`check` in a second Python process (`python -m spotiviz_cli.history.checker`), one file at a time,
    over its standard input and output: a length, then a pickle. Only this process's own child is ever
    unpickled. Started as a plain child process, so nothing of this one is imported there again."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process

    @classmethod
    def start(cls) -> Checker | None:
        if not sys.executable:
            return None  # an embedded Python: every file is checked here
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "spotiviz_cli.history.checker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
        except OSError:
            return None  # then every file is checked here
        return cls(process)

    def send(self, name: str, source: bytes | str, size: int, max_bytes: int, latest_ms: int) -> None:
        """A file to check: its bytes, or the path of a file of its own (read there, within max_bytes)."""
        with contextlib.suppress(OSError):  # a checker that died is noticed by `receive`
            write_message(self._process.stdin, (name, source, size, max_bytes, latest_ms))

    def receive(self) -> FileRows | None:
        """The checked rows; BadExport as the checker raised it; None when the checker is gone."""
        try:
            answer = read_message(self._process.stdout)
        except (OSError, EOFError, pickle.UnpicklingError):
            return None
        if answer is None:
            return None
        if answer[0] == "bad":
            raise BadExport(answer[1], answer[2])
        return FileRows(*answer[1:])

    def close(self) -> None:
        # end of input, and no more reading: the checker exits, even halfway through an answer
        for stream in (self._process.stdin, self._process.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


def write_message(stream: IO[bytes] | None, message: object) -> None:
    assert stream is not None
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(payload).to_bytes(8, "big") + payload)
    stream.flush()


def read_message(stream: IO[bytes] | None) -> Any:
    """The next message, or None at the end of the stream."""
    assert stream is not None
    header = stream.read(8)
    if len(header) < 8:
        return None
    size = int.from_bytes(header, "big")
    payload = stream.read(size)
    if len(payload) < size:
        return None
    return pickle.loads(payload)  # our own child's answer (or, in the child, ours): never outside data


def check(name: str, data: bytes, latest_ms: int) -> FileRows:
    """One export file's bytes, parsed and checked record by record; a bad file raises BadExport."""
    try:
        records = json.loads(data, parse_constant=_no_constant)
    except RecursionError:
        raise BadExport(name, "it is not JSON (nested too deeply)") from None
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError among them
        raise BadExport(name, f"it is not JSON ({_short(str(exc), 80)})") from None
    if not isinstance(records, list):
        raise BadExport(name, "it is not a list of plays")
    if not records:
        return FileRows(0, [])
    first = records[0]
    if type(first) is dict and "ts" in first:
        return _extended(name, records, latest_ms)
    if type(first) is dict and "endTime" in first:
        return _account(name, records, latest_ms)
    raise BadExport(name, "its first record has neither 'ts' nor 'endTime'")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _natural(text: str) -> list[int | str]:
    """Order file names as people do: _2 before _10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def file_opener(path: Path) -> Callable[[], AbstractContextManager[IO[bytes]]]:
    return lambda: path.open("rb")


def _member_opener(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo
) -> Callable[[], AbstractContextManager[IO[bytes]]]:
    @contextmanager
    def open_member() -> Iterator[IO[bytes]]:
        with archive.open(info) as handle:
            yield handle

    return open_member


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _show(value: Any) -> str:
    return _short(repr(value))


# ---------------------------------------------------------------- one record at a time


def iso_ms(text: str) -> int:
    """An ISO 8601 time -> Unix ms (UTC when it names no zone); ValueError when it is not one."""
    return int(parse_instant(text).timestamp() * 1000)


def _day_ms(day: str) -> int:
    if len(day) != 10 or not day[:4].isdigit():
        raise ValueError(day)
    return int(datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp() * 1000)


TEXT_FIELDS = (
    "master_metadata_track_name", "master_metadata_album_artist_name", "master_metadata_album_album_name",
    "spotify_track_uri", "episode_name", "episode_show_name", "spotify_episode_uri", "audiobook_title",
    "audiobook_uri", "audiobook_chapter_title", "audiobook_chapter_uri", "reason_start", "reason_end",
    "platform",
)  # fmt: skip
FLAG_FIELDS = ("shuffle", "skipped", "offline", "incognito_mode")


def _extended(name: str, records: list[Any], latest_ms: int) -> FileRows:
    """The hot loop of an import (a lifetime can be a million records), so it is written for speed:
    Spotify's fixed 'YYYY-MM-DDTHH:MM:SSZ' is parsed by slicing, with the day looked up in a cache."""
    days: dict[str, int] = {}
    rows: list[Row] = []
    skipped: Counter[str] = Counter()
    append = rows.append

    for number, rec in enumerate(records, 1):
        if type(rec) is not dict:
            raise _bad(name, number, f"is {_show(rec)}, not a play")
        get = rec.get
        ts = get("ts")
        try:
            if (
                type(ts) is str
                and len(ts) == 20
                and ts[10] == "T"
                and ts[19] == "Z"
                and ts[13] == ts[16] == ":"
            ):
                day = days.get(ts[:10])
                if day is None:
                    day = days[ts[:10]] = _day_ms(ts[:10])
                hour, minute, second = int(ts[11:13]), int(ts[14:16]), int(ts[17:19])
                if hour > 23 or minute > 59 or second > 59:
                    raise ValueError(ts)
                ended_at = day + (hour * 3600 + minute * 60 + second) * 1000
            elif type(ts) is str:
                ended_at = iso_ms(ts)
            else:
                raise TypeError(ts)
        except (TypeError, ValueError, OverflowError):
            raise _bad(name, number, f"has no valid 'ts' (it is {_show(ts)})") from None
        why = _wrong(rec, ended_at, ts, "ms_played", TEXT_FIELDS, latest_ms)
        if why:
            raise _bad(name, number, why)
        for key in FLAG_FIELDS:
            value = get(key)
            if value is not None and type(value) is not bool:
                raise _bad(name, number, f"has {key!r} {_show(value)}, not true, false or null")
        track, uri = get("master_metadata_track_name"), get("spotify_track_uri")
        if track or uri:
            kind, artist, album = (
                MUSIC,
                get("master_metadata_album_artist_name"),
                get("master_metadata_album_album_name"),
            )
        elif (track := get("episode_name")) or (uri := get("spotify_episode_uri")):
            kind, artist, album = EPISODE, get("episode_show_name"), None
        elif (artist := get("audiobook_title")) or (
            uri := get("audiobook_chapter_uri") or get("audiobook_uri")
        ):
            kind, track, album = AUDIOBOOK, get("audiobook_chapter_title"), None
        else:
            skipped[NO_CONTENT] += 1
            continue
        shuffle, skip = get("shuffle"), get("skipped")
        append(
            (
                ended_at, EXTENDED, artist or "", track or "", rec["ms_played"], album, uri, kind,
                get("reason_start"), get("reason_end"),
                None if shuffle is None else int(shuffle), None if skip is None else int(skip),
                get("platform"), _offline_ms(get("offline_timestamp")),
            )
        )  # fmt: skip
    return FileRows(len(records), rows, skipped)


def _bad(name: str, number: int, why: str) -> BadExport:
    return BadExport(name, f"record {number} {why}")


def _wrong(
    rec: dict[str, Any], ended_at: int, when: object, ms_key: str, text_keys: tuple[str, ...], latest_ms: int
) -> str | None:
    """What is wrong with a record of either kind, once its end time is known; None: nothing."""
    if not EARLIEST_MS <= ended_at <= latest_ms:
        return f"ends at {when}, not between 2006 and tomorrow"
    ms_played = rec.get(ms_key)
    if type(ms_played) is not int or not 0 <= ms_played <= MAX_MS_PLAYED:
        return f"has {ms_key!r} {_show(ms_played)}, not a whole number of ms up to 24 hours"
    for key in text_keys:
        value = rec.get(key)
        if value is not None and type(value) is not str:
            return f"has {key!r} {_show(value)}, not text or null"
    return None


def _offline_ms(value: Any) -> int | None:
    """When the export says an offline play happened: seconds in some exports, ms in others; else None."""
    if type(value) not in (int, float):
        return None
    ms = value * 1000 if value < 100_000_000_000 else value
    return int(ms) if EARLIEST_MS <= ms <= 4_102_444_800_000 else None  # up to 2100: a time, not noise


ACCOUNT_TEXT = ("artistName", "trackName", "podcastName", "episodeName", "audiobookName", "chapterName")


def _account(name: str, records: list[Any], latest_ms: int) -> FileRows:
    minutes: dict[str, int] = {}
    rows: list[Row] = []

    for number, rec in enumerate(records, 1):
        if type(rec) is not dict:
            raise _bad(name, number, f"is {_show(rec)}, not a play")
        end = rec.get("endTime")
        ended_at = minutes.get(end) if type(end) is str else None
        if ended_at is None:
            try:
                if type(end) is not str or len(end) != 16:
                    raise ValueError(end)
                moment = datetime.strptime(end, "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)  # UTC
                ended_at = minutes[end] = int(moment.timestamp() * 1000)
            except ValueError:
                raise _bad(name, number, f"has no valid 'endTime' (it is {_show(end)})") from None
        why = _wrong(rec, ended_at, end, "msPlayed", ACCOUNT_TEXT, latest_ms)
        if why:
            raise _bad(name, number, why)
        if "podcastName" in rec or "episodeName" in rec:
            kind, artist, title = EPISODE, rec.get("podcastName"), rec.get("episodeName")
        elif "audiobookName" in rec or "chapterName" in rec:
            kind, artist, title = AUDIOBOOK, rec.get("audiobookName"), rec.get("chapterName")
        else:
            kind, artist, title = MUSIC, rec.get("artistName"), rec.get("trackName")
        rows.append(
            (ended_at, ACCOUNT, artist or "", title or "", rec["msPlayed"], None, None, kind, None, None, None, None, None, None)
        )  # fmt: skip
    return FileRows(len(records), rows)
