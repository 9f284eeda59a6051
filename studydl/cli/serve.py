"""`studydl serve`: the app in a web browser, for a phone or a tablet."""

from __future__ import annotations

import click

from studydl.cli.context import CliContext, pass_ctx
from studydl.web.server import TOKEN_ENV


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="The port to listen on.")
@click.option("--token", envvar=TOKEN_ENV, show_envvar=True, help="Required to listen beyond this machine: browsers open the address with ?token=TOKEN.")
@pass_ctx
def serve(obj: CliContext, host: str, port: int, token: str | None) -> None:
    """Run the app in a web browser: each browser that opens the address gets the app, on this home.

    By default only this machine can open it (127.0.0.1). To study from a phone on
    your network, listen on its address (--host 0.0.0.0) with a token of your own
    (at least 12 characters), and open http://THIS-MACHINE:8000/?token=TOKEN there;
    studydl refuses to listen beyond this machine without one. Use a network you
    trust: the page is plain HTTP (put a TLS proxy in front for anything else).
    """
    from studydl.web.server import serve as run

    run(obj.home, host, port, token)
