"""The invented listening history of --demo: three years of plays, seeded, in a throwaway SQLite file.

It is written to a temporary folder removed when the process ends, so demo mode never reads or writes
the user's history. The listener has habits (evenings and commutes, busier weekends), favourites that
change over the years, skips, a podcast now and then, and quiet weeks.
"""

from __future__ import annotations

import atexit
import math
import random
import shutil
import tempfile
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

from spotiviz_cli.demo import data
from spotiviz_cli.history.store import EPISODE, EXTENDED, MUSIC, HistoryStore, Row, row

YEARS = 3
HOURS = [1, 1, 0, 0, 0, 1, 3, 6, 8, 5, 3, 3, 4, 3, 3, 4, 5, 8, 9, 8, 7, 6, 4, 2]  # weights by local hour
SHOWS = ("The Long Listen", "Tiny Histories", "Signal & Noise")
PLATFORMS = ("android", "ios", "osx", "windows", "web_player")


def demo_history(now: datetime, seed: int = 2026) -> Path:
    """A new demo history database for this process; removed when it ends."""
    folder = Path(tempfile.mkdtemp(prefix="spotiviz-demo-"))
    atexit.register(shutil.rmtree, folder, True)
    path = folder / "history.sqlite3"
    with HistoryStore(path) as store, store.transaction() as db:
        rows = plays(now, seed)
        store.merge_sources(db, store.add(db, rows), len(rows))
    return path


def plays(now: datetime, seed: int = 2026) -> list[Row]:
    """The demo listener's records, oldest first (Unix ms, UTC)."""
    rng = random.Random(seed)
    account = data.build(now, seed)
    pool = {t["id"]: t for tracks in account.top_tracks.values() for t in tracks}
    pool.update({s["track"]["id"]: s["track"] for s in account.saved})
    tracks = list(pool.values())
    end = now.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)
    day = (end - timedelta(days=365 * YEARS)).replace(hour=0)  # midnight: a day's plays stay on that day
    records: list[Row] = []
    while day < end:
        era = (end - day).days / (365 * YEARS)  # 1 three years ago, 0 today: favourites drift
        favourites = sorted(tracks, key=lambda t: math.sin(zlib.crc32(t["id"].encode()) % 1000 + era * 3))[
            :60
        ]
        weekend = day.weekday() >= 5
        quiet = rng.random() < 0.08  # a day without music now and then
        count = 0 if quiet else max(0, round(rng.gauss(34 if weekend else 26, 9)))
        for _ in range(count):
            hour = rng.choices(range(24), HOURS)[0]
            moment = day + timedelta(hours=hour, seconds=rng.randrange(3600))
            if moment >= end:
                continue
            records.append(_record(rng, moment, favourites if rng.random() < 0.7 else tracks))
        day += timedelta(days=1)
    records.sort()
    return records


def _record(rng: random.Random, moment: datetime, choices: list[dict[str, object]]) -> Row:
    ended_at = int(moment.timestamp() * 1000)
    if rng.random() < 0.03:
        return row(
            ended_at=ended_at,
            artist=rng.choice(SHOWS),
            track=f"Episode {rng.randrange(1, 240)}",
            ms_played=rng.randrange(300_000, 3_000_000),
            kind=EPISODE,
            source=EXTENDED,
        )
    track = rng.choice(choices)
    duration = int(track["duration_ms"])  # type: ignore[call-overload]
    skipped = rng.random() < 0.18
    artists: list[dict[str, str]] = track["artists"]  # type: ignore[assignment]
    album: dict[str, str] = track["album"]  # type: ignore[assignment]
    return row(
        ended_at=ended_at,
        artist=artists[0]["name"],
        track=str(track["name"]),
        ms_played=rng.randrange(1_000, 29_000) if skipped else duration,
        kind=MUSIC,
        source=EXTENDED,
        album=album["name"],
        uri=str(track["uri"]),
        reason_start="trackdone",
        reason_end="fwdbtn" if skipped else "trackdone",
        shuffle=rng.random() < 0.5,
        skipped=skipped,
        platform=rng.choice(PLATFORMS),
    )
