"""Run untrusted candidate code: a local bubblewrap jail or Docker containers.

The server calls `await judge(language, code, question, tests, limits)` for submissions and
`await run(language, code, stdin, limits)` for "run my program", or owns a `Sandbox` of its own.
Failures to serve a request raise the named errors below; candidate failures are results.
"""

from sandbox.config import SandboxConfig
from sandbox.errors import (
    BackendUnavailable,
    Busy,
    InvalidRequest,
    SandboxError,
    UnsupportedLanguage,
)
from sandbox.judging import combine
from sandbox.languages import SUPPORTED as LANGUAGES
from sandbox.models import (
    ErrorKind,
    Limits,
    Question,
    RunResult,
    Status,
    TestCase,
    TestResult,
    Verdict,
)
from sandbox.service import Sandbox, default_sandbox, judge, run

__all__ = [
    "LANGUAGES",
    "BackendUnavailable",
    "Busy",
    "ErrorKind",
    "InvalidRequest",
    "Limits",
    "Question",
    "RunResult",
    "Sandbox",
    "SandboxConfig",
    "SandboxError",
    "Status",
    "TestCase",
    "TestResult",
    "UnsupportedLanguage",
    "Verdict",
    "combine",
    "default_sandbox",
    "judge",
    "run",
]
