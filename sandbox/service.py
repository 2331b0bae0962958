"""The front of the package: `Sandbox.run` / `Sandbox.judge`, admission, backend choice.

Blocking work runs on the sandbox's own thread pool (one thread per slot), so the event loop
never waits on a child process and the default executor is left to the rest of the server.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sandbox import judging, languages
from sandbox.backend import Backend, Job, RawRun
from sandbox.config import SandboxConfig
from sandbox.errors import BackendUnavailable, InvalidRequest
from sandbox.harness import COMPILE_ERROR_EXIT
from sandbox.models import Limits, RunResult, Verdict
from sandbox.pool import SlotPool

log = logging.getLogger("sandbox")

LimitsLike = Limits | Mapping[str, Any] | None


def select_backend(config: SandboxConfig, slots: int) -> Backend:
    """`auto`: Docker when a daemon answers, else the local jail."""
    if config.backend in ("auto", "docker"):
        from sandbox.docker_backend import DockerBackend, daemon_reachable

        if config.backend == "docker" or daemon_reachable(config):
            try:
                return DockerBackend(config)
            except BackendUnavailable as e:
                if config.backend == "docker":
                    raise
                log.info("Docker unusable (%s): using the local jail", e)
    from sandbox.local import LocalBackend

    return LocalBackend(config, slots)


class Sandbox:
    """Owns the backend, the slot pool and the worker threads; create one per server."""

    def __init__(self, config: SandboxConfig | None = None, backend: Backend | None = None) -> None:
        self.config = config or SandboxConfig()
        self.pool = SlotPool(self.config.max_concurrency, self.config.max_queue)
        self._backend = backend
        self._backend_lock = threading.Lock()
        self._executor = ThreadPoolExecutor(self.config.max_concurrency, "sandbox")

    # ----------------------------------------------------------------- lifecycle

    def backend(self) -> Backend:
        """The backend, created on first use (blocking: Docker ping or jail self-test)."""
        with self._backend_lock:
            if self._backend is None:
                self._backend = select_backend(self.config, self.config.max_concurrency)
                log.info("sandbox backend: %s", self._backend.name)
            return self._backend

    async def start(self) -> str:
        """Create the backend off the event loop; returns its name (for logs and /healthz)."""
        loop = asyncio.get_running_loop()
        return (await loop.run_in_executor(self._executor, self.backend)).name

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        with self._backend_lock:
            if self._backend is not None:
                self._backend.close()
                self._backend = None

    async def aclose(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.close)

    # ----------------------------------------------------------------- public API

    async def run(
        self, language: str, code: str, stdin: str | bytes = "", limits: LimitsLike = None
    ) -> RunResult:
        """Run a program once with `stdin`; see `RunResult`."""
        job = self._run_job(language, code, stdin, limits)
        return self._run_result(await self._execute(job))

    async def judge(
        self,
        language: str,
        code: str,
        question: Any,
        tests: Sequence[Any] | None = None,
        limits: LimitsLike = None,
        *,
        redact: bool = False,
    ) -> Verdict:
        """Call the question's entry point once per test; compare here, in the parent.
        `redact=True` for hidden tests: results carry pass/fail and the error kind only (run
        them apart from visible ones, whose output the candidate sees)."""
        job, spec, nonce = self._judge_job(language, code, question, tests, limits)
        raw = await self._execute(job)
        return self._verdict(raw, spec, nonce, redact)

    def run_sync(
        self, language: str, code: str, stdin: str | bytes = "", limits: LimitsLike = None
    ) -> RunResult:
        job = self._run_job(language, code, stdin, limits)
        return self._run_result(self._execute_sync(job))

    def judge_sync(
        self,
        language: str,
        code: str,
        question: Any,
        tests: Sequence[Any] | None = None,
        limits: LimitsLike = None,
        *,
        redact: bool = False,
    ) -> Verdict:
        job, spec, nonce = self._judge_job(language, code, question, tests, limits)
        return self._verdict(self._execute_sync(job), spec, nonce, redact)

    # ----------------------------------------------------------------- plumbing

    async def _execute(self, job: Job) -> RawRun:
        slot = await self.pool.acquire()
        cancel = threading.Event()
        try:
            future = self._executor.submit(self._blocking, job, slot, cancel)
        except BaseException:
            self.pool.release(slot)
            raise
        future.add_done_callback(lambda _: self.pool.release(slot))
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            cancel.set()  # the thread kills the jail; the slot is freed when it returns
            raise

    def _execute_sync(self, job: Job) -> RawRun:
        slot = self.pool.acquire_blocking()
        try:
            return self._blocking(job, slot, threading.Event())
        finally:
            self.pool.release(slot)

    def _blocking(self, job: Job, slot: int, cancel: threading.Event) -> RawRun:
        return self.backend().execute(job, slot, cancel)

    def _limits(self, limits: LimitsLike) -> Limits:
        if isinstance(limits, Limits):
            return limits
        base = self.config.default_limits().model_dump(exclude_unset=True)
        try:
            return Limits(**{**base, **(limits or {})})
        except ValueError as e:
            raise InvalidRequest(f"invalid limits: {e}") from e

    def _check_code(self, code: str) -> None:
        if not isinstance(code, str):
            raise InvalidRequest("code must be a string")
        if "\x00" in code:
            raise InvalidRequest("code contains a NUL character")
        if len(code.encode("utf-8", "surrogatepass")) > self.config.max_code_kb * 1024:
            raise InvalidRequest(f"code is larger than {self.config.max_code_kb} KiB")

    def _run_job(self, language: str, code: str, stdin: str | bytes, limits: LimitsLike) -> Job:
        lang = languages.get(language)
        self._check_code(code)
        data = stdin.encode() if isinstance(stdin, str) else bytes(stdin)
        if len(data) > self.config.max_input_kb * 1024:
            raise InvalidRequest(f"stdin is larger than {self.config.max_input_kb} KiB")
        return Job(lang, "run", code, data, lang.limits_for(self._limits(limits)))

    def _judge_job(
        self,
        language: str,
        code: str,
        question: Any,
        tests: Sequence[Any] | None,
        limits: LimitsLike,
    ) -> tuple[Job, judging.Spec, str]:
        lang = languages.get(language)
        self._check_code(code)
        spec = judging.spec_for(lang.name, question, tests)
        lim = lang.limits_for(self._limits(limits))
        nonce = judging.new_nonce()
        data = judging.payload(code, spec, lim, nonce)
        if len(data) > self.config.max_input_kb * 1024:
            raise InvalidRequest(f"tests are larger than {self.config.max_input_kb} KiB")
        return Job(lang, "judge", code, data, lim), spec, nonce

    def _verdict(
        self, raw: RawRun, spec: judging.Spec, nonce: str, redact: bool = False
    ) -> Verdict:
        report = judging.parse_report(raw.report, nonce, len(spec.tests), raw.report_marks)
        return judging.verdict(raw, report, spec, self.backend().name, redact=redact)

    @staticmethod
    def _run_result(raw: RawRun) -> RunResult:
        kind = raw.error_kind
        if raw.exit_code == COMPILE_ERROR_EXIT and kind == "runtime_error":
            kind = "compile_error"
        return RunResult(
            stdout=raw.stdout.decode("utf-8", "replace"),
            stderr=raw.stderr.decode("utf-8", "replace"),
            exit_code=raw.exit_code,
            signal=raw.signal,
            time_ms=round(raw.time_ms, 3),
            cpu_ms=round(raw.cpu_ms, 3),
            memory_kb=raw.memory_kb,
            error_kind=kind,
            truncated=raw.truncated,
        )


_default: Sandbox | None = None
_default_lock = threading.Lock()


def default_sandbox() -> Sandbox:
    """The process-wide sandbox configured from `SANDBOX_*` (created on first use)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Sandbox()
        return _default


async def run(
    language: str, code: str, stdin: str | bytes = "", limits: LimitsLike = None
) -> RunResult:
    return await default_sandbox().run(language, code, stdin, limits)


async def judge(
    language: str,
    code: str,
    question: Any,
    tests: Sequence[Any] | None = None,
    limits: LimitsLike = None,
) -> Verdict:
    return await default_sandbox().judge(language, code, question, tests, limits)
