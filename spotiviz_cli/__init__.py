"""spotiviz: your Spotify listening stats now, in the terminal, instead of once a year."""

__version__ = "0.1.0"
