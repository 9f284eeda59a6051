"""A TCP relay in front of a PostgreSQL server that counts round trips and can add latency.

A round trip is counted each time the client sends after the server's answer was
delivered to it (or for the first time on a connection): the client waited for an answer
before going on. Counting is only exact with a delay: with none, a pipelined statement the
client sends a moment after the server already answered the one before counts twice, so
the round-trip tests relay with `delay_s` (the answer reaches the client that much later). Statements sent together (psycopg's pipeline mode, a multi-statement query) count
once. `delay_s` holds every chunk that long in each direction (a network's latency is
twice it), in order, so a pipelined burst still costs one delay.

Used by the round-trip tests (tests/engine/test_pg_round_trips.py) and by
bench/answer_latency_pg.py's `--latency-ms`.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections import deque


class RoundTripProxy:
    """Listens on 127.0.0.1:`port` and relays every connection to `target` (host, port)."""

    def __init__(self, target: tuple[str, int], delay_s: float = 0.0) -> None:
        self.target = target
        self.delay_s = delay_s
        self.round_trips = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closed = False
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, name="pg-proxy-accept", daemon=True).start()

    def url(self, server_url: str) -> str:
        """`server_url` (postgresql://user@127.0.0.1:PORT/...) pointed at this relay instead."""
        return server_url.replace(f":{self.target[1]}/", f":{self.port}/", 1)

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sockets += [client, server]
            state = {"client_turn": True}  # the client speaks first
            threading.Thread(target=self._pump, args=(client, server, state, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, state, False), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, state: dict[str, bool], from_client: bool) -> None:
        held: deque[tuple[float, bytes]] = deque()
        ready = threading.Condition()
        done = threading.Event()

        def send() -> None:
            while True:
                with ready:
                    while not held and not done.is_set():
                        ready.wait()
                    if not held:
                        break
                    due, data = held.popleft()
                wait = due - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                try:
                    sink.sendall(data)
                except OSError:
                    return
                if not from_client:  # the client has heard from the server: its next send starts a round trip
                    with self._lock:
                        state["client_turn"] = True
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                break
            with self._lock:
                if from_client and state["client_turn"]:
                    self.round_trips += 1
                    state["client_turn"] = False
            with ready:
                held.append((time.monotonic() + self.delay_s, data))
                ready.notify()
        done.set()
        with ready:
            ready.notify()

    def count(self) -> int:
        with self._lock:
            return self.round_trips

    def close(self) -> None:
        self._closed = True
        self._listener.close()
        for s in self._sockets:
            with contextlib.suppress(OSError):
                s.close()
