import asyncio
import logging

import pytest
from aiortc.mediastreams import MediaStreamTrack

from media.fanout import Fanout
from tests.frames import ListTrack, audio_frames


class Collect:
    def __init__(self) -> None:
        self.frames: list[object] = []

    def push(self, frame: object) -> None:
        self.frames.append(frame)


class Broken:
    def push(self, frame: object) -> None:
        raise RuntimeError("boom")


class Silent(MediaStreamTrack):
    kind = "audio"

    async def recv(self):  # type: ignore[no-untyped-def]
        await asyncio.Event().wait()


async def test_every_sink_gets_every_frame_in_order_until_the_track_ends() -> None:
    frames = audio_frames(seconds=0.2)
    a, b = Collect(), Collect()
    ended: list[bool] = []
    fanout = Fanout(ListTrack("audio", frames), [a], on_ended=lambda: ended.append(True))
    fanout.add(b)
    await fanout.start()
    await asyncio.wait_for(fanout.wait_ended(), 2)
    assert a.frames == frames and b.frames == frames
    assert fanout.frames == len(frames) and fanout.ended and ended == [True]
    await fanout.close()


async def test_a_broken_sink_is_logged_once_and_does_not_starve_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    frames = audio_frames(seconds=0.2)
    good = Collect()
    fanout = Fanout(ListTrack("audio", frames), [Broken(), good])
    with caplog.at_level(logging.ERROR, logger="media.fanout"):
        await fanout.start()
        await asyncio.wait_for(fanout.wait_ended(), 2)
    assert good.frames == frames
    assert fanout.sink_errors == len(frames)
    assert len([r for r in caplog.records if r.name == "media.fanout"]) == 1


async def test_close_cancels_a_reader_blocked_in_recv() -> None:
    fanout = Fanout(Silent())
    await fanout.start()
    await asyncio.sleep(0)
    await fanout.close()
    await fanout.wait_ended()
    assert fanout.ended
    assert [t for t in asyncio.all_tasks() if t.get_name().startswith("fanout")] == []
