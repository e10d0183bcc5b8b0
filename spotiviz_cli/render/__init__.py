"""Results -> Rich renderables, JSON-ready dicts and CSV: text.py is where outside text becomes display text."""
