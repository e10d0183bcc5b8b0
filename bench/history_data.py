"""A generator of synthetic extended streaming history: files shaped like Spotify's export, any size.

python bench/history_data.py OUT_DIR --plays 1000000 [--per-file 15000]
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import datetime, timezone
from pathlib import Path

PLATFORMS = ("android", "ios", "windows", "osx", "web_player")
REASONS_END = ("trackdone", "trackdone", "trackdone", "fwdbtn", "endplay", "backbtn", "logout")


def write_extended(
    folder: Path, plays: int, *, per_file: int = 15_000, seed: int = 7, start_year: int = 2016
) -> list[Path]:
    """`plays` records over the years since `start_year`, oldest first, split into export-sized files."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    artists = [f"Artist {n}" for n in range(4000)]
    tracks = [(f"Track {n}", artists[min(int(rng.expovariate(1 / 300)), len(artists) - 1)], f"Album {n // 10}")
              for n in range(60_000)]  # fmt: skip
    moment = datetime(start_year, 1, 1, tzinfo=timezone.utc)
    step = (datetime(2026, 11, 1, tzinfo=timezone.utc) - moment) / plays
    written: list[Path] = []
    batch: list[dict[str, object]] = []
    for index in range(plays):
        moment += step * rng.uniform(0.2, 1.8)
        name, artist, album = tracks[min(int(rng.expovariate(1 / 3000)), len(tracks) - 1)]
        skipped = rng.random() < 0.2
        ms = rng.randint(1_000, 29_000) if skipped else rng.randint(120_000, 300_000)
        episode = rng.random() < 0.03
        batch.append(
            {
                "ts": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "platform": rng.choice(PLATFORMS),
                "ms_played": ms,
                "conn_country": "DE",
                "ip_addr": "192.0.2.1",
                "master_metadata_track_name": None if episode else name,
                "master_metadata_album_artist_name": None if episode else artist,
                "master_metadata_album_album_name": None if episode else album,
                "spotify_track_uri": None if episode else f"spotify:track:{abs(hash(name)) % 10**12:022d}",
                "episode_name": "An episode" if episode else None,
                "episode_show_name": "A show" if episode else None,
                "spotify_episode_uri": "spotify:episode:x" if episode else None,
                "audiobook_title": None,
                "audiobook_uri": None,
                "audiobook_chapter_uri": None,
                "audiobook_chapter_title": None,
                "reason_start": "trackdone",
                "reason_end": "fwdbtn" if skipped else rng.choice(REASONS_END),
                "shuffle": rng.random() < 0.5,
                "skipped": skipped,
                "offline": False,
                "offline_timestamp": int(moment.timestamp() * 1000)
                if rng.random() < 0.5
                else int(moment.timestamp()),
                "incognito_mode": False,
            }
        )
        if len(batch) == per_file or index == plays - 1:
            year = moment.year
            path = folder / f"Streaming_History_Audio_{year}_{len(written)}.json"
            path.write_text(json.dumps(batch), encoding="utf-8")
            written.append(path)
            batch = []
    return written


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path)
    parser.add_argument("--plays", type=int, default=1_000_000)
    parser.add_argument("--per-file", type=int, default=15_000)
    options = parser.parse_args()
    files = write_extended(options.out, options.plays, per_file=options.per_file)
    print(f"wrote {options.plays:,} plays in {len(files)} files to {options.out}")


if __name__ == "__main__":
    main()
