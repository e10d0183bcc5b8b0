"""`spotiviz login` end to end: a scripted browser, the real loopback listener, the fake Spotify over HTTP."""

from __future__ import annotations

import io
import json
import re
import socket
import stat
import time
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from rich.console import Console
from typer.testing import CliRunner

from spotiviz_cli.cli import app
from spotiviz_cli.oauth import code_challenge
from spotiviz_cli.tokens import TokenRecord
from tests.conftest import CLIENT_ID, CLIENT_SECRET, PORTLESS_REDIRECT, Harness
from tests.fake_spotify import Canned, Recorded


def stored(h: Harness) -> TokenRecord:
    text = h.keyring.get_password("spotiviz", "session")
    assert text is not None, "nothing was stored in the keyring"
    return TokenRecord.from_json(text)


def authorize_query(h: Harness) -> dict[str, str]:
    assert h.browser.opened, "the browser was never opened"
    return {k: v[0] for k, v in parse_qs(urlsplit(h.browser.opened[0]).query).items()}


def token_requests(h: Harness) -> list[Recorded]:
    return [r for r in h.fake.requests if r.path == "/api/token"]


def test_pkce_login_end_to_end(harness: Harness) -> None:
    result = harness.run("login")
    assert result.exit_code == 0, result.output
    assert "Logged in as Fake User (fakeuser)" in result.stdout

    query = authorize_query(harness)
    assert query["client_id"] == CLIENT_ID
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256"
    assert query["scope"].split() == [
        "user-read-recently-played",
        "user-top-read",
        "user-read-currently-playing",
        "user-library-read",
    ]
    assert len(query["state"]) >= 22  # 128 bits in base64url
    assert "show_dialog" not in query
    # the portless registered URI got the listener's real port
    sent = urlsplit(query["redirect_uri"])
    assert (sent.hostname, sent.path) == ("127.0.0.1", "/api/callback") and sent.port

    (exchange,) = token_requests(harness)
    assert exchange.form["grant_type"] == "authorization_code"
    assert exchange.form["client_id"] == CLIENT_ID
    assert exchange.form["redirect_uri"] == query["redirect_uri"]
    assert 43 <= len(exchange.form["code_verifier"]) <= 128
    assert code_challenge(exchange.form["code_verifier"]) == query["code_challenge"]
    assert "authorization" not in exchange.headers

    record = stored(harness)
    assert record.client_id == CLIENT_ID and record.client_secret is None
    assert record.access_token in harness.fake.access_tokens
    assert record.refresh_token in harness.fake.refresh_tokens
    assert "user-top-read" in record.scopes
    assert harness.fake.paths()[-1] == "/v1/me"
    # the listener's thank-you page was served and the browser saw it
    assert harness.browser.visits[-1].status == 200
    assert "close this tab" in harness.browser.visits[-1].body
    # the listener logged nothing (its request line carries the code) and is closed
    assert "GET /" not in result.output and "code=" not in result.output
    with pytest.raises(httpx.ConnectError):
        httpx.get(query["redirect_uri"], timeout=1)


def test_secret_flow_uses_basic_auth(harness: Harness) -> None:
    harness.fake.register(CLIENT_ID, CLIENT_SECRET)
    harness.env["SPOTIFY_CLIENT_SECRET"] = CLIENT_SECRET
    result = harness.run("login", "--show-dialog")
    assert result.exit_code == 0, result.output
    query = authorize_query(harness)
    assert "code_challenge" not in query
    assert query["show_dialog"] == "true"
    (exchange,) = token_requests(harness)
    assert exchange.headers["authorization"].startswith("Basic ")
    assert "code_verifier" not in exchange.form and "client_id" not in exchange.form
    assert stored(harness).client_secret == CLIENT_SECRET
    assert CLIENT_SECRET not in result.output


def test_client_id_option_overrides_env(harness: Harness) -> None:
    harness.fake.register("other-client", None)
    result = harness.run("login", "--client-id", "other-client")
    assert result.exit_code == 0, result.output
    assert authorize_query(harness)["client_id"] == "other-client"
    assert stored(harness).client_id == "other-client"


def test_stray_requests_are_ignored_until_the_real_callback(harness: Harness) -> None:
    harness.browser.before = ["/favicon.ico", "/api/callback", "/api/callback?foo=bar", "/elsewhere?code=x"]
    result = harness.run("login")
    assert result.exit_code == 0, result.output
    statuses = [(urlsplit(v.url).path, v.status) for v in harness.browser.visits[1:]]
    assert statuses == [
        ("/favicon.ico", 404),
        ("/api/callback", 200),
        ("/api/callback", 200),
        ("/elsewhere", 404),
        ("/api/callback", 200),
    ]
    assert len(token_requests(harness)) == 1


def test_state_mismatch_is_ignored_and_the_login_waits_for_its_own_answer(harness: Harness) -> None:
    harness.browser.rewrite = lambda url: url.replace("state=", "state=forged")
    result = harness.run("login", "--timeout", "2")
    assert result.exit_code == 1
    assert "Ignored a login answer that did not come from this login" in result.stderr
    assert "No answer from Spotify within 2 s" in result.stderr and "Traceback" not in result.output
    assert harness.browser.visits[-1].status == 400
    assert token_requests(harness) == []
    assert harness.keyring.get_password("spotiviz", "session") is None


def test_forged_answers_before_the_real_one_do_not_stop_the_login(harness: Harness) -> None:
    harness.browser.before = [
        "/api/callback?code=stolen&state=forged",
        "/api/callback?error=access_denied&state=forged",
        "/api/callback?error=x",
        "/api/callback?code=nostate",
    ]
    result = harness.run("login")
    assert result.exit_code == 0, result.output
    assert [v.status for v in harness.browser.visits[1:-1]] == [400, 400, 400, 400]
    final = harness.browser.visits[-1]
    assert final.status == 200 and "Logged in" in final.body
    assert result.stderr.count("Ignored a login answer") == 1


def test_the_browser_hears_when_the_code_exchange_fails(harness: Harness) -> None:
    harness.fake.queue("/api/token", Canned(400, {"error": "invalid_grant", "error_description": "bad code"}))
    result = harness.run("login")
    assert result.exit_code == 1 and "refused the authorization code" in result.stderr
    final = harness.browser.visits[-1]
    assert "Login failed" in final.body and "Logged in" not in final.body


def test_access_denied_ends_the_login(harness: Harness) -> None:
    harness.fake.authorize_error = "access_denied"
    started = time.monotonic()
    result = harness.run("login")
    assert result.exit_code == 1
    assert "declined" in result.stderr and "Agree" in result.stderr
    assert time.monotonic() - started < 5
    assert token_requests(harness) == []


def test_timeout_names_the_redirect_uri_to_register(harness: Harness) -> None:
    harness.browser.follow = False  # the browser never comes back, as when the redirect URI is refused
    result = harness.run("login", "--timeout", "1")
    assert result.exit_code == 1
    assert "within 1 s" in result.stderr
    assert PORTLESS_REDIRECT in result.stderr and "Redirect URIs" in result.stderr


def test_port_taken_fails_fast_with_the_port(harness: Harness) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        harness.env["SPOTIFY_REDIRECT_URI"] = f"http://127.0.0.1:{port}/api/callback"
        started = time.monotonic()
        result = harness.run("login")
    assert time.monotonic() - started < 1
    assert result.exit_code == 1
    assert f"Port {port}" in result.stderr and "SPOTIFY_REDIRECT_URI" in result.stderr
    assert harness.browser.opened == []


def test_fixed_port_redirect_uri_is_used_as_registered(harness: Harness) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    uri = f"http://127.0.0.1:{port}/api/callback"
    harness.fake.redirect_uris = [uri]
    harness.env["SPOTIFY_REDIRECT_URI"] = uri
    result = harness.run("login")
    assert result.exit_code == 0, result.output
    assert authorize_query(harness)["redirect_uri"] == uri


def test_paste_mode_accepts_the_final_address(harness: Harness) -> None:
    shown = io.StringIO()

    class User(io.StringIO):
        """Reads the address off the terminal, logs in "elsewhere", pastes where the browser ended."""

        def __iter__(self):
            deadline = time.monotonic() + 5
            while "/authorize?" not in shown.getvalue() and time.monotonic() < deadline:
                time.sleep(0.01)
            match = re.search(r"http://\S+/authorize\?\S+", shown.getvalue())
            assert match, shown.getvalue()
            landed = httpx.get(match.group(0)).headers["location"]
            yield "\n"
            yield "not a url\n"
            yield landed + "\n"

    services = harness.services(stdin=User())
    services.err = Console(file=shown, width=80)
    result = CliRunner().invoke(app, ["login", "--no-browser"], obj=services)
    assert result.exit_code == 0, shown.getvalue()
    assert harness.browser.opened == [], "--no-browser must not open a browser"
    assert "Logged in as Fake User" in result.stdout
    assert "has no code" in shown.getvalue()
    assert len(token_requests(harness)) == 1


def test_paste_mode_verifies_the_state(harness: Harness) -> None:
    services = harness.services(stdin=io.StringIO("http://127.0.0.1/api/callback?code=abc&state=forged\n"))
    result = CliRunner().invoke(app, ["login", "--no-browser"], obj=services)
    assert result.exit_code == 1
    assert "state" in result.stderr
    assert token_requests(harness) == []


def test_localhost_redirect_uri_warns_with_the_loopback_form(harness: Harness) -> None:
    harness.env["SPOTIFY_REDIRECT_URI"] = "http://localhost/api/callback"
    harness.fake.redirect_uris.append("http://localhost/api/callback")
    result = harness.run("login", "--timeout", "1")
    assert "localhost" in result.stderr and "http://127.0.0.1/api/callback" in result.stderr


def test_no_client_id_is_a_usage_error(harness: Harness) -> None:
    del harness.env["SPOTIFY_CLIENT_ID"]
    result = harness.run("login")
    assert result.exit_code == 2
    assert "SPOTIFY_CLIENT_ID" in result.stderr and "--client-id" in result.stderr


def test_insecure_storage_writes_a_0600_file(harness: Harness, isolated) -> None:
    result = harness.run("login", "--insecure-storage")
    assert result.exit_code == 0, result.output
    path = isolated / "config" / "tokens.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    record = TokenRecord.from_json(path.read_text())
    assert record.access_token in harness.fake.access_tokens
    assert harness.keyring.get_password("spotiviz", "session") is None
    assert "plain file" in result.stderr
    # every later use warns too
    later = harness.run("status")
    assert later.exit_code == 0 and "plain file" in later.stderr


def test_secrets_never_reach_the_terminal(harness: Harness) -> None:
    harness.fake.register(CLIENT_ID, CLIENT_SECRET)
    harness.env["SPOTIFY_CLIENT_SECRET"] = CLIENT_SECRET
    result = harness.run("login")
    assert result.exit_code == 0
    record = stored(harness)
    code = parse_qs(urlsplit(harness.browser.visits[-1].url).query)["code"][0]
    for secret in (record.access_token, record.refresh_token, CLIENT_SECRET, code):
        assert secret not in result.output
        assert secret not in repr(record)
    status = harness.run("status", "--json")
    for secret in (record.access_token, record.refresh_token, CLIENT_SECRET):
        assert secret not in status.output
    assert json.loads(status.stdout)["logged_in"] is True


def test_token_endpoint_refusal_is_one_clear_line(harness: Harness) -> None:
    from tests.fake_spotify import Canned

    harness.fake.queue(
        "/api/token", Canned(400, {"error": "invalid_grant", "error_description": "Invalid redirect URI"})
    )
    result = harness.run("login")
    assert result.exit_code == 1
    assert "redirect URI" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("uri", "says"),
    [
        ("https://127.0.0.1/cb", "listener speaks plain http, so it cannot catch https://127.0.0.1/cb"),
        ("https://127.0.0.1:3000/cb", "Register http://127.0.0.1:3000/cb"),
        ("http://127.0.0.1:0/cb", "names port 0"),
    ],
)
def test_redirect_uris_no_login_can_complete_on_are_refused_at_once(
    harness: Harness, uri: str, says: str
) -> None:
    harness.env["SPOTIFY_REDIRECT_URI"] = uri
    result = harness.run("login")
    assert result.exit_code == 2 and says in result.stderr
    assert harness.browser.opened == []
