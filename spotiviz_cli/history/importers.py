"""Spotify's privacy-export files -> history rows: finding them (zip, folder, files) and reading each kind.

Two kinds: the extended streaming history (`Streaming_History_Audio_*.json`, older `endsong_*.json`)
and the account data (`StreamingHistory_music_*.json`, older `StreamingHistory*.json`, and
`StreamingHistory_podcast_*.json`). The kind is told by the records themselves, so a renamed file
still works; a file that is neither fails with its name, and the whole import is rolled back.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from spotiviz_cli.errors import SpotivizError, UsageProblem
from spotiviz_cli.history.store import ACCOUNT, AUDIOBOOK, EPISODE, EXTENDED, MUSIC, Row, row

HISTORY_NAME = re.compile(
    r"(Streaming_History_Audio_.*|endsong.*|StreamingHistory_music_.*|StreamingHistory_podcast_.*"
    r"|StreamingHistory\d*)\.json$",
    re.IGNORECASE,
)


class BadExport(SpotivizError):
    def __init__(self, name: str, why: str) -> None:
        super().__init__(
            f"{name} is not a Spotify streaming-history file ({why}). Nothing from this import was kept.",
            hint="Import the files from Spotify's export as they came: the .zip, its folder, or its "
            "Streaming_History_Audio_*.json / StreamingHistory_music_*.json files.",
        )


@dataclass(frozen=True)
class ExportFile:
    name: str  # as the user knows it: a path, or zip path!member
    open: Callable[[], AbstractContextManager[IO[bytes]]]


def find_files(paths: Sequence[Path]) -> list[ExportFile]:
    """The history files in these paths, in a stable order."""
    found: list[ExportFile] = []
    for path in paths:
        if not path.exists():
            raise UsageProblem(f"{path} does not exist.")
        if path.is_dir():
            wanted = (p for p in path.rglob("*.json") if HISTORY_NAME.search(p.name) and _wanted(p.name))
            for file in sorted(wanted, key=_natural):
                found.append(ExportFile(str(file), _opener(file)))
        elif path.suffix.lower() == ".zip":
            found.extend(_zip_members(path))
        elif path.suffix.lower() == ".json":
            found.append(ExportFile(str(path), _opener(path)))
        else:
            raise UsageProblem(f"{path} is not a .zip, a folder or a .json file.")
    if not found:
        names = ", ".join(str(p) for p in paths)
        raise UsageProblem(
            f"No streaming-history files in {names}.",
            hint="Spotify's export holds Streaming_History_Audio_*.json (extended history) or "
            "StreamingHistory_music_*.json (account data).",
        )
    return found


def _natural(item: Path | str) -> list[int | str]:
    """Order file names as people do: _2 before _10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(item))]


def _wanted(name: str) -> bool:
    return not name.startswith("._")  # macOS resource forks in zips and copied folders


def _opener(path: Path) -> Callable[[], AbstractContextManager[IO[bytes]]]:
    return lambda: path.open("rb")


def _zip_members(path: Path) -> list[ExportFile]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = sorted(
                (
                    info.filename
                    for info in archive.infolist()
                    if not info.is_dir()
                    and not info.filename.startswith("__MACOSX/")
                    and HISTORY_NAME.search(Path(info.filename).name)
                    and _wanted(Path(info.filename).name)
                ),
                key=_natural,
            )
    except zipfile.BadZipFile:
        raise BadExport(str(path), "not a readable zip") from None

    def opener(member: str) -> Callable[[], AbstractContextManager[IO[bytes]]]:
        @contextmanager
        def open_member() -> Iterator[IO[bytes]]:
            with zipfile.ZipFile(path) as archive, archive.open(member) as handle:
                yield handle

        return open_member

    return [ExportFile(f"{path}!{member}", opener(member)) for member in members]


@dataclass
class Span:
    """The earliest and latest end times seen, in Unix ms."""

    first: int | None = None
    last: int | None = None

    def see(self, ended_at: int) -> None:
        if self.first is None or ended_at < self.first:
            self.first = ended_at
        if self.last is None or ended_at > self.last:
            self.last = ended_at


def read_file(file: ExportFile, span: Span) -> list[Row]:
    """The rows of one export file. Noise (records with neither a track nor an episode) is left out."""
    try:
        with file.open() as handle:
            records = json.load(handle)
    except (ValueError, UnicodeDecodeError):
        raise BadExport(file.name, "not JSON") from None
    except (OSError, zipfile.BadZipFile) as exc:
        raise BadExport(file.name, f"cannot be read: {exc}") from None
    if not isinstance(records, list):
        raise BadExport(file.name, "not a list of plays")
    if not records:
        return []
    first = records[0]
    if not isinstance(first, dict):
        raise BadExport(file.name, "not a list of plays")
    if "ts" in first:
        rows = _extended(file.name, records)
    elif "endTime" in first:
        rows = _account(file.name, records)
    else:
        raise BadExport(file.name, "its records have neither 'ts' nor 'endTime'")
    for item in rows:
        span.see(item[4])  # ended_at
    return rows


def _iso_ms(text: str) -> int:
    """Any ISO 8601 time -> Unix ms (UTC when it names no zone)."""
    moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return round(moment.timestamp() * 1000)


def _day_ms(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp() * 1000)


def _extended(name: str, records: list[Any]) -> list[Row]:
    """The hot loop of an import (a lifetime can be a million records), so it is written for speed:
    Spotify's fixed 'YYYY-MM-DDTHH:MM:SSZ' is parsed by slicing, with the day looked up in a cache."""
    days: dict[str, int] = {}
    rows: list[Row] = []
    append = rows.append
    for index, rec in enumerate(records):
        try:
            ts = rec["ts"]
            ms_played = rec["ms_played"]
            if len(ts) == 20 and ts[10] == "T" and ts[19] == "Z":
                day = days.get(ts[:10])
                if day is None:
                    day = days[ts[:10]] = _day_ms(ts[:10])
                ended_at = day + (int(ts[11:13]) * 3600 + int(ts[14:16]) * 60 + int(ts[17:19])) * 1000
            else:
                ended_at = _iso_ms(ts)
            if type(ms_played) is not int:
                raise TypeError
        except (KeyError, TypeError, ValueError, IndexError):
            raise BadExport(name, f"record {index + 1} has no valid 'ts' and 'ms_played'") from None
        get = rec.get
        track, uri = get("master_metadata_track_name"), get("spotify_track_uri")
        if track or uri:
            kind, artist, album = (
                MUSIC,
                get("master_metadata_album_artist_name"),
                get("master_metadata_album_album_name"),
            )
        elif (track := get("episode_name")) or (uri := get("spotify_episode_uri")):
            kind, artist, album = EPISODE, get("episode_show_name"), None
        elif (artist := get("audiobook_title")) or (uri := get("audiobook_uri")):
            kind, track, album = AUDIOBOOK, get("audiobook_chapter_title"), None
        else:
            continue  # neither music nor a podcast nor a book: noise
        shuffle, skipped, offline = get("shuffle"), get("skipped"), get("offline_timestamp")
        if offline is not None:
            # seconds in some exports, milliseconds in others
            if type(offline) not in (int, float) or offline <= 0:
                offline = None
            elif offline < 100_000_000_000:
                offline = int(offline * 1000)
            else:
                offline = int(offline)
        item: Row = (
            ended_at // 60000, artist or "", track or "", ms_played, ended_at, album, uri, kind, EXTENDED,
            get("reason_start"), get("reason_end"),
            None if shuffle is None else int(shuffle), None if skipped is None else int(skipped),
            get("platform"), offline,
        )  # fmt: skip
        append(item)
    return rows


def _account(name: str, records: list[Any]) -> list[Row]:
    minutes: dict[str, int] = {}
    rows: list[Row] = []
    for index, rec in enumerate(records):
        try:
            end = rec["endTime"]  # "YYYY-MM-DD HH:MM", UTC
            ms_played = rec["msPlayed"]
            if type(ms_played) is not int:
                raise TypeError
            ended_at = minutes.get(end)
            if ended_at is None:
                moment = datetime.strptime(end, "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)
                ended_at = minutes[end] = int(moment.timestamp() * 1000)
        except (KeyError, TypeError, ValueError):
            raise BadExport(name, f"record {index + 1} has no valid 'endTime' and 'msPlayed'") from None
        if "podcastName" in rec or "episodeName" in rec:
            kind, artist, title = EPISODE, rec.get("podcastName"), rec.get("episodeName")
        else:
            kind, artist, title = MUSIC, rec.get("artistName"), rec.get("trackName")
        rows.append(
            row(
                ended_at=ended_at,
                artist=artist or "",
                track=title or "",
                ms_played=ms_played,
                kind=kind,
                source=ACCOUNT,
            )
        )
    return rows
