from collections.abc import AsyncIterator

from agents.alternating import AlternatingAgent, voice_24k


class FakeIO:
    def __init__(self, chunks: int) -> None:
        self.chunks = chunks
        self.played: list[bytes] = []

    async def pcm_in(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            yield bytes(640)  # 20 ms of 16 kHz mono

    def play(self, pcm_24k: bytes) -> None:
        self.played.append(pcm_24k)


async def test_speaks_first_then_listens_half_the_time() -> None:
    agent = AlternatingAgent(talk_s=1.0, listen_s=1.0)
    io = FakeIO(chunks=200)  # 4 s of the candidate
    await agent(io)  # type: ignore[arg-type]
    assert len(io.played) == 100 and {len(p) for p in io.played} == {960}  # 20 ms at 24 kHz
    assert agent.spoken_s == 2.0 and agent.heard_s == 4.0
    assert [agent.speaking_at(t) for t in (0.0, 0.99, 1.0, 1.99, 2.0)] == [
        True, True, False, False, True,
    ]
    voice = voice_24k()
    assert b"".join(io.played[:50]) == voice[: 50 * 960]  # the rendered voice, in order
