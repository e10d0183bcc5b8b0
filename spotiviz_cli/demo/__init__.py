"""Demo mode: invented sample listening served through the real client code, with no login and no network."""
