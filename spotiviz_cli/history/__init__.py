"""The local listening history: a SQLite store, importers for Spotify's exports, and stats for any period."""
