"""A peer that sends a data-channel message past the advertised size is cut off early.

aiortc used to reassemble any message (100 MB: 80 % CPU for 45 s) before our 64 KiB check.
Now the server advertises 256 KiB and a 512 KiB window and aborts the SCTP association once a
message passes 256 KiB: the hostile peer's data channel closes, its call's media goes on, and
other sessions are untouched. Between 64 and 256 KiB the events channel answers `too_large`.
"""

from __future__ import annotations

import asyncio
import json

from media import sctp_limit
from server.state import SESSIONS
from tests.live.conftest import new_interview
from tests.peers import CandidatePeer

OVERSIZED_BYTES = 16 * 1024 * 1024  # the server stops it after 256 KiB; any size > cap will do


async def wait_until(check, timeout_s: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not check():
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.05)


async def test_an_oversized_message_aborts_the_association_only(rtc) -> None:
    manager = rtc.app[SESSIONS]
    hostile_id = await new_interview(rtc)
    hostile = CandidatePeer(video=False)
    await hostile.connect(rtc, hostile_id)
    answer = hostile.pc.remoteDescription.sdp
    assert f"a=max-message-size:{sctp_limit.MAX_MESSAGE_BYTES}" in answer

    # Just under the cap arrives whole, and the events channel refuses it politely.
    near = json.dumps({"type": "chat.text", "text": "x" * (sctp_limit.MAX_MESSAGE_BYTES - 64)})
    assert len(near) <= sctp_limit.MAX_MESSAGE_BYTES
    hostile.send(near)
    assert (await hostile.wait_event("error"))["code"] == "too_large"
    assert hostile.channel.readyState == "open"

    # A hostile peer ignores our max-message-size and sends 16 MB in one message.
    session = manager.live[hostile_id]
    aborted_before = sctp_limit.aborted_associations
    hostile.pc.sctp._remote_max_message_size = 0  # lift the client's own check
    hostile.channel.send(b"\0" * OVERSIZED_BYTES)
    await wait_until(lambda: hostile.channel.readyState == "closed")
    assert sctp_limit.aborted_associations == aborted_before + 1
    server_sctp = session.pc.sctp
    held = server_sctp._ia_held_at_abort
    assert 0 < held <= sctp_limit.MAX_MESSAGE_BYTES + 1200  # one chunk past the cap, no more
    assert server_sctp._inbound_streams == {}

    # The call goes on: no end, and the echo agent still sends audio back.
    heard = len(hostile.received_pcm)
    await asyncio.sleep(1.0)
    assert not session.ended.is_set() and manager.live.get(hostile_id) is session
    assert len(hostile.received_pcm) > heard

    # Another candidate's session works as usual, data channel included.
    other_id = await new_interview(rtc)
    other = CandidatePeer(video=False)
    await other.connect(rtc, other_id)
    other.send({"type": "no.such.type"})
    assert (await other.wait_event("error"))["code"]
    assert sctp_limit.aborted_associations == aborted_before + 1

    await hostile.close()
    await other.close()
