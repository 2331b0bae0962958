"""The simulated candidate's browser: an aiortc peer that speaks espeak-ng speech as its
microphone (silence in between, like a muted pause), types `chat.text`, reads the "events"
data channel and listens to the interviewer's audio, timing everything on one clock.

What it measures: when its own voiced audio started and ended (as sent, frame by frame), when
the interviewer's voiced audio played (decoded, by level; placed by RTP timestamp), and every
event with its arrival time. Voice latency and barge-in reaction are computed from these by
the runner.
"""

from __future__ import annotations

import asyncio
import bisect
import collections
import io
import json
import shutil
import subprocess
import time
from fractions import Fraction
from typing import Any

import av
import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from evals.playout_clock import PlayoutClock

RATE_HZ = 48_000
SAMPLES_20MS = 960
FRAME_S = SAMPLES_20MS / RATE_HZ
LOUD_RMS = 300.0  # int16 RMS above which a received 20 ms frame is speech, not comfort noise


def synthesize(text: str, words_per_minute: int = 165) -> np.ndarray:
    """espeak-ng speech as 48 kHz mono int16 (blocking: call it in a thread)."""
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise RuntimeError("espeak-ng is not installed (apt-get install espeak-ng)")
    wav = subprocess.run([espeak, "-v", "en-us", "-s", str(words_per_minute), "--stdout", text],
                         capture_output=True, check=True, timeout=60).stdout
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE_HZ)
    out: list[np.ndarray] = []
    with av.open(io.BytesIO(wav)) as container:
        for frame in container.decode(audio=0):
            out += [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    out += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(out).astype(np.int16) if out else np.zeros(0, np.int16)


class SpeechTrack(MediaStreamTrack):
    """The microphone: queued speech in 20 ms frames, silence when there is none, paced on the
    wall clock; notes when each utterance's first and last frame went out."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self._frames: collections.deque[np.ndarray] = collections.deque()
        self._t0: float | None = None
        self._sent = 0
        self._silence = np.zeros(SAMPLES_20MS, np.int16)
        self.utterance_started: float | None = None
        self.utterance_ended: float | None = None
        self._ending = asyncio.Event()
        self.spoken_s = 0.0

    def say(self, pcm: np.ndarray) -> None:
        """Queue one utterance (replacing nothing: utterances play in order)."""
        usable = len(pcm) - len(pcm) % SAMPLES_20MS
        pcm = np.concatenate([pcm[:usable], np.zeros(SAMPLES_20MS * 2, np.int16)])
        self._frames.extend(pcm.reshape(-1, SAMPLES_20MS))
        self.utterance_started = None
        self.utterance_ended = None
        self._ending.clear()

    @property
    def speaking(self) -> bool:
        return bool(self._frames)

    async def finished(self) -> None:
        await self._ending.wait()

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if self._t0 is None:
            self._t0 = now
        due = self._t0 + self._sent * FRAME_S
        if due > now:
            await asyncio.sleep(due - now)
        if self._frames:
            samples = self._frames.popleft()
            sent_at = time.monotonic()
            if np.abs(samples).max() > 500:
                if self.utterance_started is None:
                    self.utterance_started = sent_at
                self.utterance_ended = sent_at + FRAME_S
                self.spoken_s += FRAME_S
            if not self._frames:
                self._ending.set()
        else:
            samples = self._silence
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = RATE_HZ
        frame.pts = self._sent * SAMPLES_20MS
        frame.time_base = Fraction(1, RATE_HZ)
        self._sent += 1
        return frame


class CandidatePeer:
    """One candidate in the room; `events` are (arrival time, event) pairs."""

    def __init__(self) -> None:
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.mic = SpeechTrack()
        self.pc.addTrack(self.mic)
        self.channel = self.pc.createDataChannel("events")
        self.channel_open = asyncio.Event()
        self.channel.on("open", self.channel_open.set)
        self.channel.on("message", self._on_message)
        self.events: list[tuple[float, dict[str, Any]]] = []
        self.changed = asyncio.Event()  # set on every event or voiced audio frame
        # when the interviewer's voiced frames played (by RTP timestamp: evals/playout_clock.py)
        self.loud_at: list[float] = []
        self._playout = PlayoutClock(RATE_HZ)
        self.heard_s = 0.0
        self._readers: list[asyncio.Task[None]] = []
        self.pc.on("track", self._on_track)

    def _on_message(self, message: str | bytes) -> None:
        try:
            event = json.loads(message)
        except ValueError:
            return
        if isinstance(event, dict):
            self.events.append((time.monotonic(), event))
            self.changed.set()

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "audio":
            self._readers.append(asyncio.ensure_future(self._listen(track)))

    async def _listen(self, track: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await track.recv()
                arrival = time.monotonic()
                pcm = frame.to_ndarray().astype(np.float32)
                if pcm.size and float(np.sqrt(np.mean(pcm * pcm))) > LOUD_RMS:
                    bisect.insort(self.loud_at, self._playout.heard_at(frame.pts, arrival))
                    self.heard_s += frame.samples / frame.sample_rate
                    self.changed.set()
        except (MediaStreamError, asyncio.CancelledError):
            return

    async def connect(self, http: Any, interview_id: str, timeout_s: float = 30.0) -> None:
        async with asyncio.timeout(timeout_s):
            await self.pc.setLocalDescription(await self.pc.createOffer())
            offer = {"sdp": self.pc.localDescription.sdp, "type": "offer"}
            async with http.post(f"/api/interviews/{interview_id}/offer", json=offer) as resp:
                if resp.status != 200:
                    raise RuntimeError(f"offer: HTTP {resp.status} {await resp.text()}")
                answer = await resp.json()
            await self.pc.setRemoteDescription(RTCSessionDescription(**answer))
            await self.channel_open.wait()

    def send(self, event: dict[str, Any]) -> None:
        if self.channel.readyState == "open":
            self.channel.send(json.dumps(event))

    def loud_spans(self, gap_s: float = 0.5) -> list[tuple[float, float]]:
        """The interviewer's voice as (start, end) spans: frames closer than `gap_s` join."""
        spans: list[list[float]] = []
        for at in self.loud_at:
            if spans and at - spans[-1][1] <= gap_s:
                spans[-1][1] = at
            else:
                spans.append([at - FRAME_S, at])
        return [(a, b) for a, b in spans]

    def last_loud(self) -> float | None:
        return self.loud_at[-1] if self.loud_at else None

    def first_loud_after(self, t: float) -> float | None:
        i = bisect.bisect_left(self.loud_at, t)  # arrival times only grow: sorted
        return self.loud_at[i] if i < len(self.loud_at) else None

    async def close(self) -> None:
        for task in self._readers:
            task.cancel()
        try:
            async with asyncio.timeout(10):
                await self.pc.close()
        except TimeoutError:
            pass
