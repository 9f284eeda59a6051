"""The app served to browsers by textual-serve: one `studydl` process per browser session, on this home.

textual-serve runs the command once per browser that connects and relays the
terminal over a websocket. It has no access control of its own, so this one adds a
token: bound to this machine alone (127.0.0.1, the default) none is needed; on any
other address the learner must set one, and `studydl serve` refuses to start
without it. A browser shows it once in the address (`?token=...`), gets it back as
a cookie (HttpOnly, SameSite=Strict) and is let in after that; without it every
request is refused (403). The token is compared in constant time.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import shlex
import signal
import sys
from typing import TYPE_CHECKING, Any

import click
from aiohttp import web
from textual_serve.server import Server

from studydl.domain.errors import StudyError

if TYPE_CHECKING:
    from studydl.home import Home

TOKEN_ENV = "STUDYDL_SERVE_TOKEN"
COOKIE = "studydl_token"
MIN_TOKEN = 12


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_token(host: str, token: str | None) -> None:
    """Refuse to listen beyond this machine without a token, or with one too short to keep anyone out."""
    if token is not None and len(token) < MIN_TOKEN:
        raise StudyError(f"studydl serve: the token must have at least {MIN_TOKEN} characters")
    if token is None and not is_loopback(host):
        raise StudyError(
            f"studydl serve: listening on {host} lets anyone who can reach this machine use your collection;"
            f" set a token first (--token or {TOKEN_ENV}), or listen on 127.0.0.1"
        )


def app_command(home: Home) -> str:
    """The command each browser session runs: this studydl, on this home (and its --db)."""
    argv = [sys.executable, "-m", "studydl", "--home", str(home.root), *(["--db", home.db_url] if home.db_url else [])]
    return shlex.join(argv)


class StudyServer(Server):
    """textual-serve's server with a token check, the browser's own address for the websocket, and one start-up line."""

    def __init__(self, command: str, host: str, port: int, token: str | None) -> None:
        super().__init__(command, host=host, port=port, title="studydl")
        self.token = token

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        if self.token is not None:
            app.middlewares.append(self._require_token)
        return app

    @web.middleware
    async def _require_token(self, request: web.Request, handler: Any) -> web.StreamResponse:
        assert self.token is not None
        given = request.query.get("token") or request.cookies.get(COOKIE) or ""
        if not hmac.compare_digest(given.encode(), self.token.encode()):
            return web.Response(status=403, text="studydl: open this address with ?token=... (the token `studydl serve` was given)\n")
        response = await handler(request)
        if request.query.get("token") and not response.prepared:
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict")
        return response

    async def handle_index(self, request: web.Request) -> Any:
        """The page, with the websocket at the address the browser used (a phone reaches this machine by its LAN name)."""
        self.public_url = f"{request.scheme}://{request.host}"
        return await super().handle_index(request)

    async def on_startup(self, app: web.Application) -> None:
        """(textual-serve prints its banner here, before it listens: `_listening` says when it does.)"""

    def _listening(self, _banner: str) -> None:
        where = f"http://{self.host}:{self.port}/"
        click.echo(f"studydl: serving the app on {where}{'?token=…' if self.token else ''} (ctrl+c stops)")
        sys.stdout.flush()

    def serve(self, debug: bool = False) -> None:
        """Serve until interrupted (SIGINT or SIGTERM end it gracefully, and the app processes with it)."""
        loop = asyncio.new_event_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.request_exit)
        web.run_app(self._make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop, print=self._listening)


def serve(home: Home, host: str, port: int, token: str | None) -> None:
    """Serve the app until interrupted (StudyError: a token is needed and missing)."""
    check_token(host, token)
    home.ensure()
    StudyServer(app_command(home), host, port, token).serve()

