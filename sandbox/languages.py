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
    # Seconds added to the wall and CPU limits for start-up the candidate does not control
    # (the JVM and its in-process javac take ~1 s of CPU before the first test runs).
    startup_s: float = 0.0
    # Text on stderr that means the process/thread limit was hit, even where the runtime words
    # it as memory (the JVM's "OutOfMemoryError: unable to create native thread").
    pids_markers: tuple[str, ...] = ()

    def limits_for(self, limits: Limits) -> Limits:
        """The limits a run of this language gets: the request's plus the start-up allowance."""
        if not self.startup_s:
            return limits
        cpu = limits.cpu_limit_s + self.startup_s
        return limits.model_copy(update={"wall_s": limits.wall_s + self.startup_s, "cpu_s": cpu})

    def argv(self, exe: str, mode: Mode, code: str, limits: Limits, report_fd: int) -> list[str]:
        if self.name == "python":
            head = [exe, "-I", "-S", "-B"]
            if mode == "judge":
                return [*head, "-c", harness.python_harness(), str(report_fd)]
            return [*head, "-c", harness.PYTHON_RUN_BOOT, code]
        if self.name == "java":
            return _java_argv(exe, mode, code, limits, report_fd)
        heap_mb = max(16, limits.memory_mb * 3 // 4)
        head = [exe, f"--max-old-space-size={heap_mb}", "--v8-pool-size=1"]
        if mode == "judge":
            return [*head, "-e", harness.javascript_harness(), str(report_fd)]
        return [*head, "-e", harness.JAVASCRIPT_RUN_BOOT, code]


def _java_argv(exe: str, mode: Mode, code: str, limits: Limits, report_fd: int) -> list[str]:
    """`sh` writes Harness.java, then execs one JVM that compiles the code and runs every test.

    C1 only, one compiler thread and the serial collector: start-up dominates these runs, and
    it keeps the JVM's own threads (counted against the pids limit) to about a dozen.
    """
    heap_mb = max(32, limits.memory_mb // 2)  # javac, metaspace and code cache live off-heap
    jvm = [
        exe,
        "-Xshare:auto",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-XX:CICompilerCount=1",
        "-XX:-UsePerfData",
        f"-Xmx{heap_mb}m",
        "-XX:MaxMetaspaceSize=128m",
        "-XX:ReservedCodeCacheSize=32m",
        "-Djava.io.tmpdir=/tmp",
        "-Dfile.encoding=UTF-8",
        "-Duser.language=en",
        "--add-opens=java.base/java.io=ALL-UNNAMED",  # the harness wraps the report fd
        "Harness.java",
    ]
    tail = ["judge", str(report_fd)] if mode == "judge" else ["run", code]
    return ["/bin/sh", "-c", harness.JAVA_BOOT, "sh", harness.java_harness(), *jvm, *tail]


LANGUAGES: dict[str, Language] = {
    "python": Language("python", True, ("MemoryError",)),
    "javascript": Language(
        "javascript",
        False,
        ("JavaScript heap out of memory", "Reached heap limit", "allocation failed"),
    ),
    # The JVM reserves gigabytes of address space (heap, compressed class space) up front.
    "java": Language(
        "java",
        False,
        ("java.lang.OutOfMemoryError",),
        startup_s=4.0,
        pids_markers=("unable to create native thread", "pthread_create failed"),
    ),
}
ALIASES = {
    "py": "python",
    "python3": "python",
    "js": "javascript",
    "node": "javascript",
    "java17": "java",
}
SUPPORTED = tuple(LANGUAGES)


def get(name: str) -> Language:
    key = ALIASES.get(name.lower(), name.lower())
    try:
        return LANGUAGES[key]
    except KeyError:
        raise UnsupportedLanguage(name, SUPPORTED) from None
