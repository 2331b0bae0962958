"""`InterviewSession` on its own: a fake peer connection, data channel, recorder and shipper
(no network, no aiortc peers), a real SQLite record, and an injected clock for the timeouts.

Every ending is checked for what the record says and that the recording was finalised.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from agents.hooks import AgentIO
from server import metrics
from server.live.endings import EndReason
from server.live.session import BadOffer
from storage.models import Interview
from tests.live.session_rig import FakeRecorder, Rig, frames_reach


async def test_hang_up_completes_the_interview(rig: Rig) -> None:
    session = await rig.start()
    await rig.add_audio(5)
    await frames_reach(rig, 5)
    rig.channel.receive({"type": "session.end"})
    row = await rig.ended()
    assert (row.status, row.current_phase) == ("completed", "done")
    assert _ending(row) == {"end_reason": "hang_up"}
    assert rig.ended_with == [EndReason.HANG_UP] and session.end_reason is EndReason.HANG_UP
    rig.assert_recording_finalised()


async def test_no_audio_for_the_idle_timeout_abandons_the_interview(rig: Rig) -> None:
    session = await rig.start(idle_timeout_s=60.0)
    await rig.add_audio(3)
    await frames_reach(rig, 3)
    rig.clock.now += 59.0
    await asyncio.sleep(0.1)  # several watchdog ticks: not idle yet
    assert not session.ended.is_set()
    rig.clock.now += 2.0
    row = await rig.ended()
    assert row.status == "abandoned" and _ending(row) == {"end_reason": "idle"}
    assert rig.ended_with == [EndReason.IDLE]
    rig.assert_recording_finalised()


async def test_a_peer_disconnected_too_long_is_lost(rig: Rig) -> None:
    session = await rig.start(disconnect_timeout_s=10.0)
    session.pc.connectionState = "disconnected"  # type: ignore[misc]
    session.pc.emit("connectionstatechange")  # type: ignore[attr-defined]
    rig.clock.now += 11.0
    row = await rig.ended()
    assert row.status == "abandoned" and _ending(row) == {"end_reason": "peer_lost"}
    rig.assert_recording_finalised()


def _ending(row: Any) -> dict[str, Any]:
    """The ending fields of the record's metadata (it also notes when each phase began)."""
    return {k: v for k, v in (row.metadata_ or {}).items() if k in ("end_reason", "end_detail")}


async def test_an_agent_that_raises_fails_the_interview_with_the_detail_apart(rig: Rig) -> None:
    async def agent(io: AgentIO) -> None:
        await io.set_phase("intro")
        raise RuntimeError("the model exploded")

    await rig.start(agent)
    row = await rig.ended()
    assert row.status == "failed" and row.current_phase == "intro"
    assert _ending(row) == {
        "end_reason": "agent_crashed",
        "end_detail": "RuntimeError: the model exploded",
    }
    assert rig.ended_with == [EndReason.AGENT_CRASHED]
    rig.assert_recording_finalised()


async def test_an_agent_that_gives_up_fails_the_interview(rig: Rig) -> None:
    async def agent(io: AgentIO) -> None:
        await io.finish("failed", "live model unavailable: connection refused")
        await asyncio.sleep(30)  # cancelled by the ending

    await rig.start(agent)
    row = await rig.ended()
    assert row.status == "failed"
    assert _ending(row) == {
        "end_reason": "agent_failed",
        "end_detail": "live model unavailable: connection refused",
    }
    rig.assert_recording_finalised()


async def test_the_agent_hears_pcm_speaks_records_and_completes(rig: Rig) -> None:
    heard: list[bytes] = []

    async def agent(io: AgentIO) -> None:
        await io.set_question("q1", "Reverse a list.")
        await io.set_phase("intro", {"memory": ["hi"]})
        await io.transcript("agent", "Hello!", final=True)
        pcm = io.pcm_in()
        heard.append(await anext(pcm))
        io.play(b"\x00\x01" * 2400)
        await io.set_phase("done")

    session = await rig.start(agent)
    await rig.add_audio(5)
    row = await rig.ended()
    assert (row.status, row.current_phase) == ("completed", "done")
    assert (row.question_id, row.question_text) == ("q1", "Reverse a list.")
    assert row.session_state == {"memory": ["hi"]}
    assert _ending(row) == {"end_reason": "completed"}
    assert len(heard[0]) == 640  # 20 ms of 16 kHz s16: the resampler's own chunks
    assert session.pc.added == [session.outbound]  # type: ignore[attr-defined]
    assert session.outbound.voiced_frames >= 5  # the 0.1 s played went out before the end
    assert rig.channel.sent[0]["type"] == "session.state"  # the room as it is, on joining
    sent = [e["type"] for e in rig.channel.sent if e["type"] != "session.state"]
    assert sent == ["phase", "caption", "phase"]
    rig.assert_recording_finalised()


async def test_the_recording_is_finalised_even_when_the_recorder_fails(rig: Rig) -> None:
    rig.recorder = FakeRecorder(fail_close=True)
    session = await rig.start()
    session.pc.connectionState = "failed"  # type: ignore[misc]
    session.pc.emit("connectionstatechange")  # type: ignore[attr-defined]
    row = await rig.ended()
    assert row.status == "abandoned" and _ending(row) == {"end_reason": "ice_failed"}
    rig.assert_recording_finalised()


async def test_the_recording_is_finalised_even_when_the_record_cannot_be_written(
    rig: Rig,
) -> None:
    session = await rig.start()

    async def database_down(reason: EndReason, detail: str | None = None) -> bool:
        raise ConnectionError("database is down")

    session.record.end = database_down  # type: ignore[method-assign]
    await session.close(EndReason.SHUTDOWN)
    row = await rig.ended()
    assert row.status == "in_progress"  # not written, and the session still ended
    assert rig.ended_with == [EndReason.SHUTDOWN]
    rig.assert_recording_finalised()


async def test_a_bad_offer_leaves_the_record_alone_but_still_cleans_up(rig: Rig) -> None:
    session = rig.make()
    with pytest.raises(BadOffer):
        await session.open("garbage")
    await session.close(EndReason.BAD_OFFER, "not an SDP")
    row = await rig.ended()
    assert row.status == "scheduled" and not row.metadata_
    rig.assert_recording_finalised()

    offer_without_audio = rig.make()
    rig.shipper.finalized.clear()
    with pytest.raises(BadOffer, match="no audio"):
        await offer_without_audio.open("v=0 video")
    await offer_without_audio.close(EndReason.BAD_OFFER)
    rig.assert_recording_finalised()


def _ended_counts() -> dict[str, float]:
    (metric,) = metrics.SESSIONS_ENDED.collect()
    return {s.labels["reason"]: s.value for s in metric.samples if s.name.endswith("_total")}


async def test_a_hundred_different_failures_make_one_label_value(rig: Rig) -> None:
    before = _ended_counts()
    for i in range(100):
        async def agent(io: AgentIO, i: int = i) -> None:
            raise RuntimeError(f"failure number {i} at 0x{id(io):x}")

        session = await rig.start(agent)
        await asyncio.wait_for(session.ended.wait(), 10)
        detail = f"RuntimeError: failure number {i} at 0x{id(session.agent_io):x}"
        assert session.end_detail == detail
    after = _ended_counts()
    assert set(after) - set(before) <= {"agent_crashed"}
    assert after["agent_crashed"] - before.get("agent_crashed", 0) == 100
    assert {k: v for k, v in after.items() if k != "agent_crashed"} == {
        k: v for k, v in before.items() if k != "agent_crashed"
    }
    async with rig.db() as s:
        row = await s.get(Interview, rig.interview_id)
        assert row.metadata_["end_detail"].startswith("RuntimeError: failure number 0 ")
