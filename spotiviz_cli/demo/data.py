"""The invented demo account: deterministic, realistic in size and shape, and nobody's real listening.

Names are made from word lists; a fixed seed makes every run the same except the plays, which are
placed relative to the current time so "5 min ago" reads naturally.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from spotiviz_cli.models import utc_iso

ADJECTIVES = (
    "Velvet",
    "Paper",
    "Neon",
    "Quiet",
    "Golden",
    "Electric",
    "Hollow",
    "Silver",
    "Wild",
    "Midnight",
    "Lunar",
    "Crimson",
    "Glass",
    "Static",
    "Northern",
    "Tidal",
    "Amber",
    "Cobalt",
    "Secret",
    "Distant",
    "Broken",
    "Honey",
    "Feral",
    "Gentle",
)
NOUNS = (
    "Harbor",
    "Moons",
    "Coast",
    "Arcade",
    "Orchard",
    "Parade",
    "Lanterns",
    "Rivers",
    "Satellites",
    "Foxes",
    "Engines",
    "Gardens",
    "Signals",
    "Comets",
    "Pilots",
    "Echoes",
    "Tigers",
    "Sparrows",
    "Machines",
    "Waves",
)
SOLO = (
    "Mira Sol",
    "Jonah Vale",
    "Ines Kora",
    "Theo Marsh",
    "Lila Brandt",
    "Omar Reyes",
    "Noor",
    "Ada Finch",
    "Kasper Lund",
    "Yuki Aoki",
    "Rosa Linde",
    "Eli Moreau",
)
WORDS = (
    "Night",
    "Drive",
    "Summer",
    "Static",
    "Heart",
    "Ghost",
    "City",
    "Lights",
    "Fever",
    "Dream",
    "Ocean",
    "Run",
    "Gold",
    "Silence",
    "Fire",
    "Rain",
    "Echo",
    "Stay",
    "Wonder",
    "Shadows",
    "Home",
    "Signal",
    "Bloom",
    "Paper",
    "Planes",
    "Velvet",
    "Sky",
    "Motion",
    "Youth",
    "Satellite",
    "Lately",
    "Slow",
    "Dance",
)
GENRES = (
    "indie pop",
    "synthpop",
    "dream pop",
    "alt rock",
    "neo soul",
    "modern rock",
    "bedroom pop",
    "electropop",
    "indie folk",
    "shoegaze",
    "house",
    "alternative r&b",
    "art pop",
    "post-punk",
    "chillwave",
    "jazz rap",
)
DEVICES = ("Kitchen speaker", "Laptop", "Phone")


@dataclass(frozen=True)
class DemoAccount:
    profile: dict[str, Any]
    top_artists: dict[str, list[dict[str, Any]]]  # by Spotify time_range
    top_tracks: dict[str, list[dict[str, Any]]]
    recent: list[dict[str, Any]]  # newest first
    saved: list[dict[str, Any]]  # newest first
    now_playing: dict[str, Any]


def build(now: datetime, seed: int = 2026) -> DemoAccount:
    rng = random.Random(seed)

    names = list(
        dict.fromkeys(
            [
                *SOLO,
                *(f"The {a} {n}" if rng.random() < 0.4 else f"{a} {n}" for a in ADJECTIVES for n in NOUNS),
            ]
        )
    )
    rng.shuffle(names)
    artists: list[dict[str, Any]] = []
    for index, name in enumerate(names[:90]):
        artist_id = f"demoartist{index:03d}"
        genres = rng.sample(GENRES, rng.choice((1, 2, 2, 3))) if rng.random() > 0.15 else []
        artists.append(
            {
                "id": artist_id,
                "name": name,
                "uri": f"spotify:artist:{artist_id}",
                "type": "artist",
                "genres": genres,
                "images": [] if rng.random() < 0.2 else [{"url": f"https://i.example/{artist_id}.jpg"}],
                "external_urls": {"spotify": f"https://open.spotify.com/artist/{artist_id}"},
            }
        )

    def simplified(artist: dict[str, Any]) -> dict[str, Any]:
        return {key: artist[key] for key in ("id", "name", "uri", "type")}

    tracks: list[dict[str, Any]] = []
    for index in range(420):
        main = artists[min(int(rng.expovariate(1 / 18)), len(artists) - 1)]
        credited = [main] + ([rng.choice(artists)] if rng.random() < 0.18 else [])
        year = min(2026, max(1962, round(rng.gauss(2014, 9))))
        precision = rng.choices(("day", "month", "year"), weights=(8, 1, 1))[0]
        release = {
            "day": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "month": f"{year}-{rng.randint(1, 12):02d}",
            "year": str(year),
        }[precision]
        title = " ".join(rng.sample(WORDS, rng.choice((1, 2, 2, 3))))
        track_id = f"demotrack{index:04d}"
        album_id = f"demoalbum{index // 3:04d}"
        tracks.append(
            {
                "id": track_id,
                "name": title,
                "uri": f"spotify:track:{track_id}",
                "type": "track",
                "duration_ms": rng.randint(125_000, 330_000),
                "explicit": rng.random() < 0.22,
                "is_local": False,
                "external_urls": {"spotify": f"https://open.spotify.com/track/{track_id}"},
                "artists": [simplified(a) for a in dict((a["id"], a) for a in credited).values()],
                "album": {
                    "id": album_id,
                    "name": " ".join(rng.sample(WORDS, 2)),
                    "album_type": rng.choice(("album", "album", "single", "compilation")),
                    "release_date": release,
                    "release_date_precision": precision,
                    "images": [] if rng.random() < 0.1 else [{"url": f"https://i.example/{album_id}.jpg"}],
                },
            }
        )

    def ranked(pool: list[dict[str, Any]], spread: float, drift: int) -> list[dict[str, Any]]:
        """A top list: mostly the long-time favourites, shuffled more the shorter the range."""
        scored = [
            (index + rng.gauss(0, spread) - (drift if rng.random() < 0.15 else 0), item)
            for index, item in enumerate(pool)
        ]
        return [item for _, item in sorted(scored, key=lambda pair: pair[0])][:50]

    ranges = {"long_term": (4.0, 0), "medium_term": (9.0, 10), "short_term": (16.0, 30)}
    top_artists = {key: ranked(artists, spread, drift) for key, (spread, drift) in ranges.items()}
    top_tracks = {key: ranked(tracks, spread * 2, drift * 2) for key, (spread, drift) in ranges.items()}

    recent: list[dict[str, Any]] = []
    moment = now - timedelta(minutes=rng.randint(2, 9))
    favourites = top_tracks["short_term"][:12]
    for _ in range(50):
        track = rng.choice(favourites) if rng.random() < 0.35 else rng.choice(tracks[:200])
        context = rng.choice(
            [
                None,
                {"type": "playlist", "uri": "spotify:playlist:demomix"},
                {"type": "album", "uri": f"spotify:album:{track['album']['id']}"},
            ]
        )
        recent.append({"track": track, "played_at": utc_iso(moment, "milliseconds"), "context": context})
        gap = track["duration_ms"] / 60_000 + rng.uniform(0, 3)
        if rng.random() < 0.12:  # a night's sleep or a working day between sessions
            gap += rng.uniform(300, 900)
        moment -= timedelta(minutes=gap)

    saved: list[dict[str, Any]] = []
    added = now - timedelta(hours=rng.randint(3, 30))
    for track in rng.sample(tracks, 320):
        saved.append({"added_at": utc_iso(added), "track": track})
        added -= timedelta(hours=rng.uniform(2, 60))

    playing: dict[str, Any] = recent[0]["track"]
    now_playing = {
        "is_playing": True,
        "progress_ms": playing["duration_ms"] * 2 // 5,
        "timestamp": int(now.timestamp() * 1000),
        "currently_playing_type": "track",
        "context": None,
        "item": playing,
        "device": {"name": rng.choice(DEVICES), "type": "Speaker"},
    }
    profile = {
        "id": "demo",
        "display_name": "Demo Listener",
        "images": [],
        "external_urls": {"spotify": "https://open.spotify.com/user/demo"},
    }
    return DemoAccount(profile, top_artists, top_tracks, recent, saved, now_playing)
