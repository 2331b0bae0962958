"""Request limits and result records shared by every backend and by the server."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

ErrorKind = Literal[
    "wrong_answer",
    "runtime_error",
    "timeout",
    "memory_limit",
    "output_limit",
    "compile_error",
]
Status = Literal[
    "accepted",
    "wrong_answer",
    "runtime_error",
    "timeout",
    "memory_limit",
    "output_limit",
    "compile_error",
]
CompareMode = Literal["exact", "unordered"]


class Limits(BaseModel):
    """Resource limits for one run; the bounds keep a request from asking for the machine."""

    model_config = ConfigDict(frozen=True)

    wall_s: float = Field(5.0, gt=0, le=120, description="wall-clock timeout of the whole run")
    cpu_s: float | None = Field(None, gt=0, le=120, description="CPU seconds; default wall_s")
    memory_mb: int = Field(256, ge=32, le=16_384)
    pids: int = Field(64, ge=8, le=4096, description="processes + threads")
    output_kb: int = Field(1024, ge=1, le=65_536, description="stdout + stderr together")
    file_mb: int = Field(16, ge=1, le=4096, description="largest file; size of /work and /tmp")
    open_files: int = Field(64, ge=16, le=4096)

    @property
    def cpu_limit_s(self) -> float:
        return self.cpu_s if self.cpu_s is not None else self.wall_s


class RunResult(BaseModel):
    """Outcome of running a program once ("run this code")."""

    stdout: str
    stderr: str
    exit_code: int | None
    signal: int | None = None
    time_ms: float
    cpu_ms: float = 0.0
    memory_kb: int = 0
    error_kind: ErrorKind | None = None
    truncated: bool = False


class TestResult(BaseModel):
    """Outcome of one judged test; `expected` is whatever the caller chose to pass in."""

    __test__: ClassVar[bool] = False  # not a pytest class

    index: int
    passed: bool
    actual: Any = None
    expected: Any = None
    time_ms: float = 0.0
    memory_kb: int = 0
    error_kind: ErrorKind | None = None
    stdout: str = ""
    stderr: str = ""


class Verdict(BaseModel):
    """A judged submission: per-test results plus the summary the UI and the agent show."""

    status: Status
    passed: int
    total: int
    max_time_ms: float
    max_memory_kb: int
    tests: list[TestResult]
    compile_output: str = ""
    backend: str = ""


class TestCase(BaseModel):
    """One test of the question bank: positional JSON args and the expected JSON value."""

    __test__: ClassVar[bool] = False

    args: list[Any]
    expected: Any = None


class Question(BaseModel):
    """The parts of a question the judge needs (extra bank fields are ignored)."""

    model_config = ConfigDict(extra="ignore")

    slug: str = ""
    entry_point: dict[str, str]
    compare: CompareMode = "exact"
    tests: list[TestCase] = Field(default_factory=list)
