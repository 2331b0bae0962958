"""Named errors of the sandbox package; `server/errors.py` maps each one to an HTTP status.

Candidate failures (wrong answer, timeout, ...) are results, not exceptions: these errors mean
the request could not be served at all.
"""

from __future__ import annotations


class SandboxError(Exception):
    """Base class: the sandbox could not run the request (maps to 500 unless a subclass says)."""

    code = "sandbox_error"


class Busy(SandboxError):
    """Every worker is busy and the wait queue is full (maps to 429 or 503)."""

    code = "sandbox_busy"

    def __init__(self, running: int, queued: int) -> None:
        super().__init__(f"sandbox busy: {running} runs in progress and {queued} queued")
        self.running = running
        self.queued = queued


class UnsupportedLanguage(SandboxError):
    """The language is not one the sandbox runs (maps to 400)."""

    code = "unsupported_language"

    def __init__(self, language: str, supported: tuple[str, ...]) -> None:
        super().__init__(
            f'language "{language}" is not supported (supported: {", ".join(supported)})'
        )
        self.language = language


class InvalidRequest(SandboxError):
    """Code, input or tests are malformed or too large (maps to 400 or 413)."""

    code = "invalid_request"


class BackendUnavailable(SandboxError):
    """The configured backend cannot run here (no Docker daemon, no bwrap, ...); maps to 503."""

    code = "sandbox_unavailable"
