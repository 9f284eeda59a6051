"""A real headless Chromium for the tests, driven over the DevTools protocol on a pipe.

Chromium's `--remote-debugging-pipe` reads protocol commands on its fd 3 and writes
replies and events on its fd 4 (JSON, each message ended by a NUL byte): no port, no
browser driver, no dependency beyond the standard library. Waits are for protocol
messages (a `select` with a deadline), never sleeps.

`Page` follows a page's websocket frames (what textual-serve sends the terminal), so a
test waits for text to appear on the browser's screen, then types keys as a person does.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip
ANSI = re.compile(rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")
KEYS = {
    " ": ("Space", 32),
    "escape": ("Escape", 27),
    **{str(d): (f"Digit{d}", 48 + d) for d in range(10)},
    **{c: (f"Key{c.upper()}", ord(c.upper())) for c in "abcdefghijklmnopqrstuvwxyz"},
}


def chromium_binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Chromium:
    """One headless Chromium with a fresh profile, spoken to on a pipe."""

    def __init__(self, binary: str, profile: Path) -> None:
        commands_r, self._commands = os.pipe()
        self._replies, replies_w = os.pipe()

        def give_pipes() -> None:  # (in the child, before exec) the protocol's fds are 3 and 4, kept open by exec
            os.dup2(commands_r, 100)
            os.dup2(replies_w, 101)
            os.dup2(100, 3)
            os.dup2(101, 4)

        self.process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=give_pipes,  # (Python's own fds are not inheritable: only 3 and 4 go along)
        )  # fmt: skip
        os.close(commands_r)
        os.close(replies_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None, timeout: float = 30) -> dict[str, Any]:
        """Run one command; its result (events that arrive meanwhile are kept)."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        reply = self._read_until(lambda m: m.get("id") == self._next_id, timeout)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def next_event(self, timeout: float) -> dict[str, Any]:
        """The next event, kept or arriving (RuntimeError when none comes in time)."""
        if self.events:
            return self.events.pop(0)
        return self._read_until(lambda m: "id" not in m, timeout, keep=False)

    def _read_until(self, wanted: Any, timeout: float, keep: bool = True) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if wanted(message):
                    return message
                if "id" not in message:
                    self.events.append(message)
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._replies], [], [], max(0.0, left))
            if not ready:
                raise RuntimeError(f"Chromium said nothing for {timeout} s")
            chunk = os.read(self._replies, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed its pipe")
            self._buffer += chunk

    def open(self, url: str) -> Page:
        """A new tab on `url`, its websocket frames followed."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        self.send("Network.enable", session=session)
        self.send("Page.enable", session=session)
        self.send("Page.navigate", {"url": url}, session=session)
        return page

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send("Browser.close", timeout=10)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for fd in (self._commands, self._replies):
            with contextlib.suppress(OSError):
                os.close(fd)


class Page:
    """A tab: the text textual-serve has sent its terminal so far, and keys typed into it."""

    def __init__(self, browser: Chromium, session: str) -> None:
        self.browser = browser
        self.session = session
        self.screen = ""
        """Every websocket frame received, escape sequences removed."""

    def wait_for_text(self, text: str, timeout: float = 60) -> None:
        """Until `text` has been drawn (after what was drawn when this was called)."""
        start = len(self.screen)
        deadline = time.monotonic() + timeout
        while text not in self.screen[start:]:
            event = self.browser.next_event(max(0.1, deadline - time.monotonic()))
            if event.get("method") == "Network.webSocketFrameReceived" and event.get("sessionId") == self.session:
                response = event["params"]["response"]
                data = base64.b64decode(response["payloadData"]) if response["opcode"] == 2 else response["payloadData"].encode()
                self.screen += ANSI.sub(b"", data).decode("utf-8", "replace")
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared; last drawn: {self.screen[-400:]!r}")

    def focus_terminal(self) -> None:
        self.browser.send(
            "Runtime.evaluate", {"expression": "document.querySelector('.xterm-helper-textarea').focus()"}, session=self.session
        )

    def press(self, key: str) -> None:
        """One key as a person types it: down (with its text), up."""
        code, vk = KEYS[key]
        text = {"escape": "\x1b"}.get(key, key)
        down = {"type": "keyDown", "key": "Escape" if key == "escape" else key, "code": code, "windowsVirtualKeyCode": vk}
        if key != "escape":
            down["text"] = text
        self.browser.send("Input.dispatchKeyEvent", down, session=self.session)
        up = {k: v for k, v in down.items() if k != "text"}
        self.browser.send("Input.dispatchKeyEvent", {**up, "type": "keyUp"}, session=self.session)
