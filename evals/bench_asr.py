"""Word error rate of the offline server's recognisers on interview answers heard over WebRTC.

    .venv/bin/python -m evals.bench_asr [--sentences 15] [--sets url_shortener,other_designs]
                                        [--voices espeak-m,espeak-f,piper]

Interview-domain sentences (two sets: answers about the URL shortener the session's prompt
is about, and answers from other designs) are spoken by synthetic voices (espeak-ng male and
female, the Piper voice), each at two speeds, and sent through a real WebRTC Opus round trip: two
aiortc peers on loopback, one per voice and speed, all at once and at real-time pace (a
microphone's 20 ms frames at 48 kHz, encoded to Opus by aiortc, decoded by the other peer).
The received audio is cut back into utterances and resampled to 16 kHz, as the server's
media path does, and given to both recognisers:

- pocketsphinx with the interview-domain language model (the fallback, and the old default);
- Whisper base (faster-whisper, int8, one thread), prompted as a session prompts it: the
  question and the brief's expected topics.

Prints one JSON line: WER per recogniser, per set, per voice and speed, and CPU-seconds per
audio second. Goal: WER ≤ 10 % for Whisper. Bounded: ~160 s of real-time streaming, then
decoding.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fractions
import json
import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from aiortc import RTCPeerConnection
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError
from av import AudioFrame

from agents.offline import speech_models
from agents.offline.asr import AsrModel
from agents.offline.brain import Brain
from agents.offline.brief import EXAMPLE_BRIEF, parse_brief
from agents.offline.tts import resample, wav_pcm

SENTENCES = (
    "I would use a load balancer, a cache and a database.",
    "We can shard the database by the short code.",
    "I would put a Redis cache in front of the database.",
    "Kafka gives us a durable queue between the web servers and the workers.",
    "The cache holds the most popular links with a time to live of one day.",
    "Reads are much more frequent than writes, so we should optimize for reads.",
    "I would generate the short code by hashing the long URL.",
    "If two links collide, we append a counter and hash again.",
    "A content delivery network serves the redirects close to the users.",
    "We need replication so that a failed node does not lose data.",
    "For analytics, each click is written to a message queue.",
    "The API servers are stateless, so we can scale them horizontally.",
    "Consistent hashing keeps most keys in place when we add a node.",
    "We should monitor latency and error rates on every service.",
    "The database stores the short code, the long URL and the creation time.",
)
# Answers from other designs, in words the URL-shortener session's prompt does not hold:
# how much of the figure above the prompt buys. Written after the set above was tuned on.
OTHER_DESIGNS = (
    "Each chat server keeps a websocket open to every online user.",
    "We store messages in Cassandra, partitioned by conversation id.",
    "The rate limiter uses a token bucket per user, kept in Redis.",
    "Uploads go straight to object storage through a signed URL.",
    "A heartbeat every thirty seconds tells us who is online.",
    "If the leader fails, the replicas elect a new one.",
    "The feed service merges posts from the people you follow.",
    "We can tolerate eventual consistency for the like counts.",
    "Search queries hit an inverted index that is rebuilt every hour.",
    "Writes go to the primary and reads are served by replicas.",
    "The notification service retries with exponential backoff.",
    "Large files are split into chunks and deduplicated by their hash.",
    "A bloom filter tells us quickly whether a key might exist.",
    "The payment request carries an idempotency key so retries are safe.",
    "We page through the history with a cursor instead of an offset.",
)
SETS = {"url_shortener": SENTENCES, "other_designs": OTHER_DESIGNS}
VOICES = {  # name -> (engine, espeak voice)
    "espeak-m": ("espeak", "en-us"),
    "espeak-f": ("espeak", "en-us+f3"),
    "piper": ("piper", ""),
}
SPEEDS = {"normal": (160, 1.0), "fast": (200, 0.8)}  # espeak words/minute, piper length scale
RATE = 48_000
FRAME = 960  # 20 ms
GAP_S = 0.8
LEAD_S = 0.6


def normalize(text: str) -> list[str]:
    text = text.lower().replace("-", "").replace("\u2019", "'")
    return re.sub(r"[^a-z0-9' ]+", " ", text).split()


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(edit distance in words, reference length)."""
    ref, hyp = normalize(reference), normalize(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[len(hyp)], len(ref)


def speak(voice: str, speed: str, text: str, piper) -> bytes:  # type: ignore[no-untyped-def]
    """48 kHz mono s16 PCM."""
    engine, espeak_voice = VOICES[voice]
    wpm, length_scale = SPEEDS[speed]
    if engine == "piper":
        return resample(piper.synthesize(text, length_scale, varied=False), 24_000, RATE)
    wav = subprocess.run(["espeak-ng", "-v", espeak_voice, "-s", str(wpm), "--stdout", text],
                         capture_output=True, check=True).stdout
    pcm, rate = wav_pcm(wav)
    return resample(pcm, rate, RATE)


class PcmTrack(AudioStreamTrack):
    """A microphone playing `pcm` (48 kHz mono s16) in real time, then silence."""

    def __init__(self, pcm: bytes) -> None:
        super().__init__()
        self._samples = np.frombuffer(pcm, dtype="<i2")
        self._pos = 0
        self._t0: float | None = None

    async def recv(self) -> AudioFrame:
        if self._t0 is None:
            self._t0 = time.perf_counter()
        due = self._t0 + self._pos / RATE
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        chunk = self._samples[self._pos : self._pos + FRAME]
        if len(chunk) < FRAME:
            chunk = np.concatenate([chunk, np.zeros(FRAME - len(chunk), np.int16)])
        frame = AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate, frame.pts = RATE, self._pos
        frame.time_base = fractions.Fraction(1, RATE)
        self._pos += FRAME
        return frame

    @property
    def sent_s(self) -> float:
        return self._pos / RATE


async def round_trip(pcm: bytes) -> np.ndarray:
    """`pcm` sent from one aiortc peer to another over loopback; what the receiver decoded,
    at 16 kHz, each frame placed by its RTP timestamp (a frame lost or dropped by the jitter
    buffer on a busy machine leaves silence, and counts against the recogniser)."""
    sender, receiver = RTCPeerConnection(), RTCPeerConnection()
    track = PcmTrack(pcm)
    sender.addTrack(track)
    frames: list[tuple[int, np.ndarray, int]] = []
    seconds = len(pcm) / 2 / RATE

    async def read(remote) -> None:  # type: ignore[no-untyped-def]
        with contextlib.suppress(MediaStreamError, asyncio.CancelledError):
            while True:
                frame = await remote.recv()
                samples = frame.to_ndarray().reshape(-1).astype(np.int16)
                if frame.layout.name == "stereo":
                    samples = samples[::2]
                frames.append((int(frame.pts), samples, frame.sample_rate))

    tasks: list[asyncio.Task[None]] = []
    receiver.on("track", lambda remote: tasks.append(asyncio.ensure_future(read(remote))))
    await sender.setLocalDescription(await sender.createOffer())
    await receiver.setRemoteDescription(sender.localDescription)
    await receiver.setLocalDescription(await receiver.createAnswer())
    await sender.setRemoteDescription(receiver.localDescription)
    # the track paces itself (catching up if late): wait for it to run out, then a second
    await asyncio.sleep(seconds + 0.5)
    deadline = time.perf_counter() + seconds + 30
    while track.sent_s < seconds + 0.5 and time.perf_counter() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)
    for task in tasks:
        task.cancel()
    await sender.close()
    await receiver.close()
    if not frames:
        return np.zeros(0, np.int16)
    rate = frames[0][2]
    first = frames[0][0]
    out = np.zeros(max(p - first + len(x) for p, x, _ in frames), np.int16)
    for p, x, _ in frames:
        out[p - first : p - first + len(x)] = x
    down = resample(out.tobytes(), rate, 16_000)
    return np.frombuffer(down, dtype="<i2")


def first_onset(samples: np.ndarray, rate: int) -> float:
    loud = np.nonzero(np.abs(samples.astype(np.int32)) > 500)[0]
    return float(loud[0]) / rate if loud.size else 0.0


@dataclass
class Condition:
    voice: str
    speed: str
    utterances: list[bytes]  # 48 kHz as spoken
    heard: list[bytes]  # 16 kHz after the round trip


async def stream_all(conditions: list[Condition]) -> None:
    async def one(c: Condition) -> None:
        silence = bytes(int(GAP_S * RATE) * 2)
        spans, joined = [], bytearray(bytes(int(LEAD_S * RATE) * 2))
        for u in c.utterances:
            spans.append((len(joined) // 2 / RATE, (len(joined) + len(u)) // 2 / RATE))
            joined += u + silence
        sent = np.frombuffer(bytes(joined), dtype="<i2")
        got = await round_trip(bytes(joined))
        offset = first_onset(got, 16_000) - first_onset(sent, RATE)
        for start, end in spans:
            a = max(0, int((start + offset - 0.25) * 16_000))
            b = int((end + offset + 0.35) * 16_000)
            c.heard.append(got[a:b].tobytes())

    await asyncio.gather(*(one(c) for c in conditions))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=len(SENTENCES), help="per set")
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--voices", default=",".join(VOICES))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--beam", type=int, default=0, help="Whisper beam size (server's)")
    args = parser.parse_args()
    labelled = [(name, text) for name in args.sets.split(",")
                for text in SETS[name][: args.sentences]]
    sentences = [text for _, text in labelled]
    piper = speech_models.load_piper()
    whisper = speech_models.load_whisper()
    if piper is None or whisper is None:
        raise SystemExit("the neural speech models are not installed (make run / make test)")
    if args.beam:
        whisper.beam_size = args.beam
    sphinx = AsrModel.build()
    prompt = Brain.create(parse_brief(EXAMPLE_BRIEF)).vocabulary()
    conditions = [
        Condition(v, s, [speak(v, s, t, piper) for t in sentences], [])
        for v in args.voices.split(",") for s in SPEEDS
    ]
    t0 = time.perf_counter()
    asyncio.run(stream_all(conditions))
    streamed_s = time.perf_counter() - t0

    recognisers = {"pocketsphinx": sphinx.transcribe,
                   "whisper": lambda pcm: whisper.recognize(pcm, prompt).text}
    results: dict[str, dict[str, object]] = {}
    examples: list[dict[str, str]] = []
    audio_s = sum(len(h) / 32_000 for c in conditions for h in c.heard)
    for name, recognise in recognisers.items():
        shown = 0
        cpu0 = time.process_time()
        with ThreadPoolExecutor(args.workers) as pool:
            texts = {(c.voice, c.speed): list(pool.map(recognise, c.heard)) for c in conditions}
        cpu = time.process_time() - cpu0
        errors = total = 0
        per: dict[str, float] = {}
        per_set: dict[str, list[int]] = {name: [0, 0] for name, _ in labelled}
        for c in conditions:
            e = n = 0
            for (set_name, ref), hyp in zip(labelled, texts[(c.voice, c.speed)], strict=True):
                de, dn = word_errors(ref, hyp)
                e, n = e + de, n + dn
                per_set[set_name][0] += de
                per_set[set_name][1] += dn
                if de and shown < 12:
                    shown += 1
                    examples.append({"recogniser": name, "voice": f"{c.voice}/{c.speed}",
                                     "said": ref, "heard": hyp})
            per[f"{c.voice}/{c.speed}"] = round(100 * e / n, 1)
            errors, total = errors + e, total + n
        results[name] = {"wer_pct": round(100 * errors / total, 1),
                         "by_set": {k: round(100 * e / n, 1) for k, (e, n) in per_set.items()},
                         "by_voice": per,
                         "cpu_s_per_audio_s": round(cpu / audio_s, 3)}
    print(json.dumps({"utterances": sum(len(c.heard) for c in conditions),
                      "audio_s": round(audio_s, 1), "streamed_s": round(streamed_s, 1),
                      "results": results, "errors": examples}))


if __name__ == "__main__":
    main()
