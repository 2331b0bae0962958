"""Per-language command lines, shared by the local jail and the Docker backend."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sandbox import harness
from sandbox.errors import UnsupportedLanguage
from sandbox.models import Limits

Mode = Literal["run", "judge"]


@dataclass(frozen=True)
class Language:
    """How to start one language's interpreter for a plain run or for the judge harness."""

    name: str
    # RLIMIT_AS is a safe second memory fence for CPython; V8 reserves gigabytes of address
    # space up front, so node relies on the cgroup and its own heap limit instead.
    limit_address_space: bool
    # Text on stderr that means the program ran out of memory.
    oom_markers: tuple[str, ...]

    def argv(self, exe: str, mode: Mode, code: str, limits: Limits, report_fd: int) -> list[str]:
        if self.name == "python":
            head = [exe, "-I", "-S", "-B"]
            if mode == "judge":
                return [*head, "-c", harness.python_harness(), str(report_fd)]
            return [*head, "-c", harness.PYTHON_RUN_BOOT, code]
        heap_mb = max(16, limits.memory_mb * 3 // 4)
        head = [exe, f"--max-old-space-size={heap_mb}", "--v8-pool-size=1"]
        if mode == "judge":
            return [*head, "-e", harness.javascript_harness(), str(report_fd)]
        return [*head, "-e", harness.JAVASCRIPT_RUN_BOOT, code]


LANGUAGES: dict[str, Language] = {
    "python": Language("python", True, ("MemoryError",)),
    "javascript": Language(
        "javascript",
        False,
        ("JavaScript heap out of memory", "Reached heap limit", "allocation failed"),
    ),
}
ALIASES = {"py": "python", "python3": "python", "js": "javascript", "node": "javascript"}
SUPPORTED = tuple(LANGUAGES)


def get(name: str) -> Language:
    key = ALIASES.get(name.lower(), name.lower())
    try:
        return LANGUAGES[key]
    except KeyError:
        raise UnsupportedLanguage(name, SUPPORTED) from None
