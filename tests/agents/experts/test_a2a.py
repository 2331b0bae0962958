"""The experts over real A2A HTTP: the agent card, a review round trip with the PNG as a file
part (the expert reports the sha256 of the bytes it received), an expert process that is
killed, and a slow expert whose review arrives late as a note."""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import subprocess
import sys
import time

import httpx
import pytest
import uvicorn

from agents.expert_tool import ExpertDesk
from agents.experts.client import ExpertClient, ExpertUnavailable
from agents.experts.critic import critique
from agents.experts.review import Review, ReviewRequest
from agents.experts.server import build_app
from agents.experts.styles import style_for
from agents.questions import find_question
from tests.agents.fake_io import FakeIO
from tests.canvas_data import design, png_bytes


@pytest.fixture
def expert_process():  # type: ignore[no-untyped-def]
    proc = subprocess.Popen(
        [sys.executable, "-m", "agents.experts", "--company", "meta", "--port", "0"],
        stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    ready = json.loads(proc.stdout.readline())
    yield proc, ready["ready"]
    proc.kill()
    proc.wait()


def request(png: bytes | None) -> ReviewRequest:
    return ReviewRequest(
        question="What are the risks?", company="meta",
        interview_question="Design a home feed.",
        expected_topics=["fan-out on write versus on read", "feed storage and caching"],
        transcript=[{"speaker": "candidate", "text": "Posts go to Postgres."}],
        elements=design("Client", "Feed API", "Postgres"), png=png,
    )


async def test_agent_card_declares_image_input_and_the_review_skill(expert_process) -> None:
    _, url = expert_process
    async with httpx.AsyncClient() as http:
        card = (await http.get(url + ".well-known/agent-card.json")).json()
    assert card["name"] == "Meta-style system design reviewer"
    assert "image/png" in card["defaultInputModes"]
    assert [s["name"] for s in card["skills"]] == ["system design review"]
    assert "image/png" in card["skills"][0]["inputModes"]


async def test_review_round_trip_carries_the_png_bytes(expert_process) -> None:
    proc, url = expert_process
    png = png_bytes(500, 300, seed=21)
    client = ExpertClient({"meta": url})
    try:
        review = await client.review(request(png))
        assert review.image_sha256 == hashlib.sha256(png).hexdigest()
        assert review.expert == "Meta-style system design reviewer"
        assert any("Postgres" in r for r in review.risks)
        assert any("cache" in r for r in review.risks)  # the question expects caching
        assert review.follow_up_questions

        proc.kill()
        proc.wait()
        started = time.monotonic()
        with pytest.raises(ExpertUnavailable):
            await client.review(request(png))
        assert time.monotonic() - started < 2.0  # refused at once, not a timeout
    finally:
        await client.close()


class SlowCritic:
    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s

    async def review(self, req: ReviewRequest) -> Review:
        await asyncio.sleep(self.delay_s)
        return critique(req)


async def test_a_slow_review_comes_back_later_as_a_note() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    app = build_app(style_for("google"), url, SlowCritic(2.5))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    client = ExpertClient({"google": url})
    io = FakeIO()
    notes: list[str] = []
    question = find_question("sd-link-shortener")
    assert question is not None
    desk = ExpertDesk(io, client, question, recent=lambda: [], send_note=notes.append)
    try:
        while not server.started:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
        answer = await desk.ask("How does this look?")
        assert answer["status"] == "pending" and desk.waits_s[0] < 2.0
        await io.wait_for(lambda: notes, 15)
        assert notes[0].startswith("[Expert review: ") and "Ask: " in notes[0]
        assert io.reviews and io.reviews[0]["snapshot_seq"] is None  # an empty board
    finally:
        await desk.close()
        await client.close()
        server.should_exit = True
        await serving
