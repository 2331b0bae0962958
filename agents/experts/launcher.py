"""Local experts for when EXPERT_URLS is not set: each company's expert runs as a child
process (`python -m agents.experts --company X --port 0`) on loopback, started the first time
that company's interview needs it, and restarted on the next need if it died.

Child processes rather than uvicorn inside the app's event loop: the expert's reasoning
(and a2a-sdk's 3-6 s of imports on this machine) never touches the loop that paces every
live call's audio, a crashed or hung expert cannot take a call down, and the app talks to it
exactly as to a remote EXPERT_URLS deployment.

An expert is needed minutes into an interview, not at its start: `warm` waits WARM_DELAY_S
(past the greeting), and the child runs at a lower CPU priority (EXPERT_NICE), so its start-up
never competes with a live call's speech on a small machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys

from agents.experts.styles import STYLES

log = logging.getLogger(__name__)

START_TIMEOUT_S = 60.0
WARM_DELAY_S = 20.0
EXPERT_NICE = 10


class LocalExperts:
    def __init__(self, python: str = sys.executable, warm_delay_s: float = WARM_DELAY_S) -> None:
        self.python = python
        self.warm_delay_s = warm_delay_s
        self.procs: dict[str, asyncio.subprocess.Process] = {}
        self._warming: dict[str, asyncio.TimerHandle] = {}
        self.urls: dict[str, str] = {}
        self._starting: dict[str, asyncio.Task[str]] = {}

    async def url_for(self, company: str) -> str:
        key = company if company in STYLES else "general"
        proc = self.procs.get(key)
        if proc is not None and proc.returncode is None and key in self.urls:
            return self.urls[key]
        task = self._starting.get(key)
        if task is None or task.done():
            task = self._starting[key] = asyncio.ensure_future(self._start(key))
        return await asyncio.shield(task)

    def warm(self, company: str) -> None:
        """Start the company's expert soon, in the background (an interview that may ask it
        began); an earlier `url_for` starts it at once."""
        key = company if company in STYLES else "general"
        if key in self._warming or key in self.urls:
            return

        def start() -> None:
            task = asyncio.ensure_future(self.url_for(key))
            task.add_done_callback(lambda t: t.cancelled() or t.exception())

        self._warming[key] = asyncio.get_running_loop().call_later(self.warm_delay_s, start)

    async def _start(self, key: str) -> str:
        proc = await asyncio.create_subprocess_exec(
            self.python, "-m", "agents.experts", "--company", key, "--port", "0",
            stdout=asyncio.subprocess.PIPE, stdin=asyncio.subprocess.DEVNULL,
        )
        self.procs[key] = proc
        with contextlib.suppress(OSError):  # lower priority than the live calls
            os.setpriority(os.PRIO_PROCESS, proc.pid, EXPERT_NICE)
        assert proc.stdout is not None
        try:
            line = await asyncio.wait_for(proc.stdout.readline(), START_TIMEOUT_S)
            url = str(json.loads(line)["ready"])
        except Exception:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            raise
        self.urls[key] = url
        log.info("expert started", extra={"company": key, "url": url, "pid": proc.pid})
        return url

    async def close(self) -> None:
        for timer in self._warming.values():
            timer.cancel()
        for task in self._starting.values():
            task.cancel()
        for proc in self.procs.values():
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.terminate()
        for proc in self.procs.values():
            try:
                await asyncio.wait_for(proc.wait(), 5)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
