"""The data-channel protocol: dispatch, chunk reassembly, limits, errors that keep it alive."""

from __future__ import annotations

import asyncio
import json

from server.live.events import (
    MAX_ASSEMBLED_BYTES,
    MAX_MESSAGE_BYTES,
    EventChannel,
    EventRouter,
)


class FakeChannel:
    readyState = "open"

    def __init__(self) -> None:
        self.sent: list[dict] = []

    def send(self, data: str) -> None:
        self.sent.append(json.loads(data))


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def make() -> tuple[EventChannel, FakeChannel, list[dict], FakeClock]:
    got: list[dict] = []
    router = EventRouter()

    async def record(event: dict) -> None:
        got.append(event)

    async def explode(event: dict) -> None:
        raise RuntimeError("bug")

    router.on("chat.text", record)
    router.on("explode", explode)
    channel = FakeChannel()
    clock = FakeClock()
    return EventChannel(channel, router, clock=clock), channel, got, clock


async def settle() -> None:
    """Let dispatched handlers run, including a big message decoded on a worker thread."""
    for _ in range(3):
        await asyncio.sleep(0)
    me = asyncio.current_task()
    for _ in range(200):
        if not [t for t in asyncio.all_tasks() if t is not me and not t.done()]:
            return
        await asyncio.sleep(0.01)


async def test_dispatches_known_types_and_rejects_the_rest() -> None:
    events, channel, got, _ = make()
    events.on_message('{"type": "chat.text", "text": "hi"}')
    events.on_message('{"type": "nope"}')
    events.on_message("{broken")
    events.on_message("[1]")
    events.on_message(b"\x00\x01")
    events.on_message('{"type": "explode"}')
    await settle()
    assert got == [{"type": "chat.text", "text": "hi"}]
    codes = [m["code"] for m in channel.sent]
    assert codes == ["unknown_type", "bad_json", "bad_message", "unsupported", "handler_failed"]
    assert all(m["type"] == "error" and m["message"] for m in channel.sent)
    events.on_message('{"type": "chat.text", "text": "still alive"}')
    await settle()
    assert got[-1]["text"] == "still alive"


async def test_oversize_message_is_refused() -> None:
    events, channel, got, _ = make()
    events.on_message(json.dumps({"type": "chat.text", "text": "x" * MAX_MESSAGE_BYTES}))
    await settle()
    assert got == [] and channel.sent[0]["code"] == "too_large"


async def test_chunks_reassemble_in_any_order() -> None:
    events, channel, got, _ = make()
    payload = json.dumps({"type": "chat.text", "text": "y" * 150_000})
    pieces = [payload[i : i + 50_000] for i in range(0, len(payload), 50_000)]
    order = [2, 0, 3, 1][: len(pieces)]
    for seq in order:
        events.on_message(json.dumps(
            {"type": "chunk", "id": "m1", "seq": seq, "total": len(pieces), "data": pieces[seq]}
        ))
    await settle()
    assert channel.sent == []
    assert got == [json.loads(payload)]


async def test_chunk_limits() -> None:
    events, channel, got, clock = make()
    events.on_message('{"type": "chunk", "id": "a", "seq": 5, "total": 2, "data": ""}')
    piece = "z" * 60_000
    total = MAX_ASSEMBLED_BYTES // len(piece) + 2
    for seq in range(total):
        clock.now += 0.05  # stay under the rate limit
        events.on_message(json.dumps(
            {"type": "chunk", "id": "big", "seq": seq, "total": total, "data": piece}
        ))
    for i in range(5):
        events.on_message(json.dumps(
            {"type": "chunk", "id": f"open{i}", "seq": 0, "total": 2, "data": "{"}
        ))
    await settle()
    codes = [m["code"] for m in channel.sent]
    assert codes == ["bad_chunk", "too_large", "too_many_chunked"]
    assert got == []
    clock.now += 60  # stale assemblies expire
    events.on_message('{"type": "chunk", "id": "late", "seq": 0, "total": 1, '
                      '"data": "{\\"type\\": \\"chat.text\\"}"}')
    await settle()
    assert got == [{"type": "chat.text"}]


async def test_flood_is_rate_limited_with_one_notice_then_recovers() -> None:
    events, channel, got, clock = make()
    for _ in range(500):
        events.on_message('{"type": "chat.text"}')
    await settle()
    assert 90 <= len(got) <= 110
    assert [m["code"] for m in channel.sent] == ["rate_limited"]
    clock.now += 5
    events.on_message('{"type": "chat.text", "text": "after"}')
    await settle()
    assert got[-1] == {"type": "chat.text", "text": "after"}


async def test_close_cancels_running_handlers() -> None:
    router = EventRouter()
    started = asyncio.Event()

    async def slow(event: dict) -> None:
        started.set()
        await asyncio.sleep(3600)

    router.on("slow", slow)
    events = EventChannel(FakeChannel(), router)
    events.on_message('{"type": "slow"}')
    await started.wait()
    await events.close()
    assert not events._tasks
