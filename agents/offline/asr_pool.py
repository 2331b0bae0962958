"""Speech recognition in worker processes, so it never holds the app's GIL.

pocketsphinx decodes with the GIL held: two decoder threads on noise kept the event loop
from running for up to 175 ms at a time (measured: 10 ms timer, 2 threads decoding 4 s of
noise each), and 30 offline sessions of noise stalled `/healthz` for 20 s. A thread pool
cannot fix that; other processes can. `AsrPool` runs `workers` single-process executors
(spawned, not forked: the app is multi-threaded), each holding the decoders of the sessions
leased to it (a session's utterances are incremental, so it sticks to one worker). Work is
bounded: a session has at most one decode in flight (`Transcriber` runs them in order), and
the server caps its sessions. A worker that dies is replaced; its sessions lose the
utterance in progress, not the session. `shared_pool()` gives every server in a process the
same workers (a spawn costs ~1 CPU-s of imports), shut down at exit.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
import multiprocessing
import os
import signal
import uuid
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# ---- worker side: module state of each worker process ---------------------------------------

_lm_path = ""
_dict_path = ""
_sessions: dict[str, list[Any]] = {}  # key -> [decoder, in_utterance]


def _init_worker(lm_path: str, dict_path: str) -> None:
    global _lm_path, _dict_path
    _lm_path, _dict_path = lm_path, dict_path
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the app; the app stops us


def _decoder() -> Any:
    from agents.offline.asr import AsrModel

    return AsrModel(Path(_lm_path), Path(_dict_path)).decoder()


def worker_decode(key: str, started: bool, audio: bytes, closing: bool) -> str:
    """One step of a session's utterance (see `Transcriber._decode`), in the worker."""
    state = _sessions.get(key)
    if state is None:
        state = _sessions[key] = [_decoder(), False]
    decoder = state[0]
    if started:
        if state[1]:
            decoder.end_utt()
        decoder.start_utt()
        state[1] = True
    if not state[1]:
        return ""
    if audio:
        decoder.process_raw(audio, False, False)
    if closing:
        decoder.end_utt()
        state[1] = False
    hyp = decoder.hyp()
    return hyp.hypstr if hyp is not None else ""


def worker_release(key: str) -> None:
    _sessions.pop(key, None)


def worker_pid() -> int:
    return os.getpid()


# ---- app side -------------------------------------------------------------------------------


class AsrPool:
    def __init__(self, lm_path: Path, dict_path: Path, workers: int = 2) -> None:
        self._args = (str(lm_path), str(dict_path))
        self._context = multiprocessing.get_context("spawn")
        self._workers = [self._new_worker() for _ in range(max(1, workers))]
        self._leases = [0] * len(self._workers)
        self.decodes = 0
        self.restarts = 0
        self.stopped = False

    def _new_worker(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=1, mp_context=self._context,
                                   initializer=_init_worker, initargs=self._args)

    async def start(self) -> None:
        """Start every worker now (a spawn costs ~0.5 s), not on a candidate's first word."""
        await asyncio.gather(*(self._call(i, worker_pid) for i in range(len(self._workers))))

    async def pids(self) -> list[int]:
        return list(await asyncio.gather(
            *(self._call(i, worker_pid) for i in range(len(self._workers)))))

    def lease(self) -> RemoteDecoder:
        """A decoder for one session, on the worker with the fewest sessions."""
        index = min(range(len(self._workers)), key=self._leases.__getitem__)
        self._leases[index] += 1
        return RemoteDecoder(self, index, uuid.uuid4().hex)

    async def _call(self, index: int, fn: Any, *args: Any) -> Any:
        if self.stopped:
            raise RuntimeError("speech recognition is shut down")
        loop = asyncio.get_running_loop()
        worker = self._workers[index]
        try:
            return await loop.run_in_executor(worker, fn, *args)
        except BrokenProcessPool:
            if self.stopped:  # shutting down: a worker stopped by the same signal is no news
                raise
            if self._workers[index] is worker:  # replace it once, whoever noticed first
                self.restarts += 1
                log.error("speech recognition worker died; starting another")
                self._workers[index] = self._new_worker()
                worker.shutdown(wait=False, cancel_futures=True)
            raise

    def _returned(self, index: int) -> None:
        self._leases[index] = max(0, self._leases[index] - 1)

    def close(self) -> None:
        self.stopped = True
        for worker in self._workers:
            worker.shutdown(wait=False, cancel_futures=True)

    async def aclose(self) -> None:
        """Stop the workers and wait (off the loop) until they are gone, so no executor
        callback reaches the event loop after it has closed."""
        self.close()
        await asyncio.to_thread(lambda: [w.shutdown(wait=True) for w in self._workers])


_shared: dict[tuple[str, str, int], AsrPool] = {}


def shared_pool(lm_path: Path, dict_path: Path, workers: int) -> AsrPool:
    """This process's pool for these model files (made on first use, closed at exit)."""
    key = (str(lm_path), str(dict_path), workers)
    pool = _shared.get(key)
    if pool is None:
        if not _shared:
            atexit.register(_close_shared)
        pool = _shared[key] = AsrPool(lm_path, dict_path, workers)
    return pool


def _close_shared() -> None:
    for pool in _shared.values():
        pool.close()
    _shared.clear()


def stop_shared() -> None:
    """The app is shutting down: calls fail at once, quietly, and a worker that a signal to
    the process group stopped is not replaced (`close_shared` then waits for the rest)."""
    for pool in _shared.values():
        pool.stopped = True


async def close_shared() -> None:
    """At the app's shutdown, while its loop still runs: stop this process's pools (the
    atexit hook only covers a process that never got here). A later user makes a new one."""
    pools = list(_shared.values())
    _shared.clear()
    await asyncio.gather(*(pool.aclose() for pool in pools))


class RemoteDecoder:
    """One session's decoder in an `AsrPool` worker."""

    def __init__(self, pool: AsrPool, index: int, key: str) -> None:
        self._pool = pool
        self._index = index
        self._key = key
        self._closed = False

    @property
    def stopped(self) -> bool:
        return self._pool.stopped

    async def decode(self, started: bool, audio: bytes, closing: bool) -> str:
        self._pool.decodes += 1
        return str(await self._pool._call(self._index, worker_decode, self._key, started,
                                          audio, closing))

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._pool._returned(self._index)
        try:
            await self._pool._call(self._index, worker_release, self._key)
        except (BrokenProcessPool, RuntimeError):
            pass  # the worker is gone or shut down: so is the decoder
