"""What can go wrong when listing, configuring or running a demo."""

from __future__ import annotations


class DemoError(Exception):
    """Base of every demo error a front end shows as one line."""


class UnknownDemo(DemoError):
    """A deck or a user named a demo id the catalogue does not have."""

    def __init__(self, demo_id: str, known: frozenset[str] | set[str]) -> None:
        self.demo_id = demo_id
        self.known = frozenset(known)
        listing = ", ".join(sorted(self.known)) or "(none)"
        super().__init__(f"unknown demo {demo_id!r}; known demos: {listing}")

    def __reduce__(self) -> tuple:
        return (UnknownDemo, (self.demo_id, self.known))  # crosses from a worker process intact


class BadDemoModule(DemoError):
    """A module in the catalogue folder does not follow the demo contract."""


class BadParameter(DemoError):
    """A `key=value` override does not name a parameter or does not fit it."""


class DemoFailed(DemoError):
    """The demo itself raised; the original exception is kept in `__cause__`."""

    def __init__(self, demo_id: str, message: str) -> None:
        self.demo_id = demo_id
        self.message = message
        super().__init__(f"demo {demo_id!r} failed: {message}")

    def __reduce__(self) -> tuple:
        return (DemoFailed, (self.demo_id, self.message))
