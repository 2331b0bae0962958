"""agents/offline/asr.py: the domain language model, incremental recognition, stable deltas."""

from __future__ import annotations

import asyncio

from agents.offline.asr import AsrModel, StableText, Transcriber
from tests.agents.offline.speech import silence, speech_16k


def test_stable_text_sends_each_word_once() -> None:
    stable = StableText(holdback_words=2)
    assert stable.partial("i") == ""
    assert stable.partial("i would use") == "i"
    assert stable.partial("i would use a redis") == " would use"
    assert stable.partial("i could use a redis cache") == ""  # revised: wait
    assert stable.final("i would use a redis cache") == " a redis cache"
    assert stable.sent == "i would use a redis cache".split()


async def test_incremental_recognition_finds_domain_words() -> None:
    model = await AsrModel.load()
    partials: list[str] = []
    transcriber = Transcriber(model, on_partial=partials.append)
    pcm = speech_16k("I would use Kafka as a message queue for the click analytics.")
    transcriber.start(silence(300))
    for start in range(0, len(pcm), 640):
        transcriber.feed(pcm[start : start + 640])
        if start % 6400 == 0:
            await asyncio.sleep(0.01)
    text = (await transcriber.finish()).text
    await transcriber.close()
    words = set(text.split())
    assert {"kafka", "queue", "analytics"} & words, text
    assert partials and transcriber.utterances == 1
    # a second utterance on the same decoder
    assert "database" in model.transcribe(speech_16k("We can shard the database by user id."))
