"""Two spotiviz processes refreshing the same login at the same moment must not break each other's login."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from spotiviz_cli.tokens import FileTokenStore, TokenRecord
from tests.conftest import Harness
from tests.fake_spotify import make_track

ROOT = Path(__file__).resolve().parent.parent


def test_two_processes_refreshing_at_once(harness: Harness, isolated: Path) -> None:
    fake = harness.fake
    fake.rotate_refresh_tokens = True  # the harsh case: a spent refresh token is dead
    fake.latency = 0.3  # long enough for both processes to want a refresh at the same time
    fake.library.top_tracks["medium_term"] = [make_track(n) for n in range(1, 6)]
    store = FileTokenStore(isolated / "config" / "tokens.json")
    expired = harness.log_in(expires_in=0)
    store.save(expired)

    env = {**os.environ, **harness.env, "PYTHONPATH": str(ROOT)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "spotiviz_cli", "top-tracks", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=60) for p in processes]
    for process, (stdout, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr
        assert len(json.loads(stdout)) == 5
    assert [r.path for r in fake.requests].count("/api/token") == 1
    final = store.load()
    assert isinstance(final, TokenRecord)
    assert final.refresh_token in fake.refresh_tokens  # the surviving login still works
    assert final.access_token in fake.access_tokens and final.access_token != expired.access_token
