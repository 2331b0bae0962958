"""Voice latency of the offline Live API server, measured at a google-genai client.

    .venv/bin/python -m evals.bench_voice [--turns 10] [--chunk-ms 20] [--speech classic]

A simulated candidate speaks espeak-ng answers at real-time pace, like a microphone (each
20 ms chunk is sent when its 20 ms have passed), with silence in between. Measured:

- voice-to-voice: end of the candidate's voiced audio → first reply audio chunk received
  (includes the end-of-speech wait, recognition, the brain and synthesis);
- barge-in: the candidate's next answer starts while the reply is still playing → the
  `interrupted` message received, from the first voiced sample of that answer.

Prints one JSON line with p50/p95 of each (goals: voice-to-voice p50 ≤ 900 ms and p95 ≤
1.3 s, barge-in ≤ 200 ms). `--speech neural` (the default) is the server as users get it
(Whisper base + Piper); `classic` is pocketsphinx + espeak-ng. Loopback only; bounded in
turns and time.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import statistics
import subprocess
import time

import av
import numpy as np
from google.genai import types

from agents.offline import OfflineLiveServer
from agents.offline.brief import EXAMPLE_BRIEF

ANSWERS = (
    "Hi, I am Sam, a backend engineer working on payment systems.",
    "I would start with the requirements and the read to write ratio.",
    "I would put a Redis cache in front of the database.",
    "We can shard the database by the short code.",
    "I would use Kafka as a message queue for the click analytics.",
    "The load balancer distributes requests across the web servers.",
    "We need replication for high availability.",
    "I would generate the short code with base62 encoding of a unique id.",
    "The cdn serves static content close to the users.",
    "We should monitor latency and error rates.",
    "We can scale horizontally by adding more servers.",
    "That's all.",
)
BRIEF = EXAMPLE_BRIEF
RATE = 16_000


def speech(text: str) -> bytes:
    wav = subprocess.run(["espeak-ng", "-v", "en-us", "--stdout", text],
                         capture_output=True, check=True).stdout
    container = av.open(io.BytesIO(wav))
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    out = [f.to_ndarray().tobytes() for fr in container.decode(audio=0)
           for f in resampler.resample(fr)]
    out += [f.to_ndarray().tobytes() for f in resampler.resample(None)]
    return b"".join(out)


def voiced_span_s(pcm: bytes) -> tuple[float, float]:
    loud = np.nonzero(np.abs(np.frombuffer(pcm, dtype="<i2")) > 300)[0]
    return float(loud[0]) / RATE, float(loud[-1]) / RATE


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


async def run(turns: int, chunk_ms: int, verbose: bool = False,
              neural: bool = True) -> dict[str, object]:
    # real pacing: audio 1 s ahead of real time
    server = OfflineLiveServer(seed=1, neural_speech=neural)
    await server.start()
    client = server.genai_client()
    config = types.LiveConnectConfig(
        response_modalities=["AUDIO"],
        input_audio_transcription=types.AudioTranscriptionConfig(),
        tools=[types.Tool(function_declarations=[types.FunctionDeclaration(
            name="advance_phase", parameters=types.Schema(type="OBJECT", properties={
                "phase": types.Schema(type="STRING"), "reason": types.Schema(type="STRING")}))])],
        system_instruction=BRIEF,
    )
    v2v: list[float] = []
    barge: list[float] = []
    first_audio: list[float] = []
    interrupts: list[float] = []
    log: list[str] = []
    try:
        async with client.aio.live.connect(model="gemini-live-2.5-flash-preview",
                                           config=config) as session:
            audio_seen = asyncio.Event()

            listening_since = [float("inf")]

            async def reader() -> None:
                while True:
                    msg = await session._receive()
                    now = time.perf_counter()
                    sc = msg.server_content
                    if sc and sc.input_transcription and sc.input_transcription.finished:
                        log.append(f"heard {sc.input_transcription.text!r}")
                    if sc and sc.model_turn and sc.model_turn.parts and not audio_seen.is_set() \
                            and now >= listening_since[0]:
                        first_audio.append(now)
                        audio_seen.set()
                    if sc and sc.interrupted:
                        interrupts.append(now)
                    if msg.tool_call:
                        await session.send_tool_response(function_responses=[
                            types.FunctionResponse(id=c.id, name=c.name, response={"ok": True})
                            for c in msg.tool_call.function_calls or []])

            reading = asyncio.create_task(reader())
            step = RATE * 2 * chunk_ms // 1000
            for text in ANSWERS[:turns]:
                pcm = speech(text) + bytes(step)
                start_s, end_s = voiced_span_s(pcm)
                audio_seen.clear()
                listening_since[0] = float("inf")
                n_interrupts = len(interrupts)
                t0 = time.perf_counter()
                for i in range(0, len(pcm), step):  # a chunk goes out when its time has passed
                    due = t0 + (i + step) / (RATE * 2)
                    await asyncio.sleep(max(0.0, due - time.perf_counter()))
                    await session.send_realtime_input(audio=types.Blob(
                        data=pcm[i : i + step], mime_type="audio/pcm;rate=16000"))
                listening_since[0] = t0 + end_s
                if len(interrupts) > n_interrupts:
                    barge.append(interrupts[n_interrupts] - (t0 + start_s))
                    log.append(f"barge-in {barge[-1] * 1000:.0f} ms")
                # silence until the reply starts, then a little more (the reply keeps playing)
                t1 = time.perf_counter()
                while not audio_seen.is_set() and time.perf_counter() - t1 < 5.0:
                    await asyncio.sleep(chunk_ms / 1000)
                    await session.send_realtime_input(audio=types.Blob(
                        data=bytes(step), mime_type="audio/pcm;rate=16000"))
                if audio_seen.is_set():
                    v2v.append(first_audio[-1] - (t0 + end_s))
                    log.append(f"voice-to-voice {v2v[-1] * 1000:.0f} ms")
                await asyncio.sleep(0.4)
            reading.cancel()
    finally:
        await server.close()
    return {
        "turns": len(v2v),
        "voice_to_voice_ms": {"p50": round(statistics.median(v2v) * 1000) if v2v else None,
                              "p95": round(pct(v2v, 0.95) * 1000)},
        "barge_in_ms": {"n": len(barge),
                        "p50": round(statistics.median(barge) * 1000) if barge else None,
                        "p95": round(pct(barge, 0.95) * 1000)},
        "interruptions": server.interruptions,
        "recognizer": server.recognizer,
        "synthesizer": server.synthesizer,
        "log": log if verbose else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--chunk-ms", type=int, default=20)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--speech", choices=("neural", "classic"), default="neural")
    args = parser.parse_args()
    turns = min(args.turns, len(ANSWERS))
    result = asyncio.run(asyncio.wait_for(
        run(turns, args.chunk_ms, args.verbose, args.speech == "neural"), timeout=300))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
