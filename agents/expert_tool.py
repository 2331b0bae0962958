"""The interviewer's `ask_expert(question)` tool: the latest whiteboard PNG (a file part), its
elements, the interview question and the last minutes of conversation go to the company's
A2A expert; the review comes back to the model and is stored with the interview.

The model waits for a tool's response before it speaks again, so the tool never waits long:
at most `INLINE_WAIT_S` for the review (the offline expert answers in ~0.2 s). A slower
review is delivered later as an `[Expert review: ...]` note, when the interviewer is quiet;
an expert that is down answers "unavailable" at once. Either way the conversation goes on:
the candidate hears no more than `INLINE_WAIT_S` of silence because of the tool.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from agents.experts.client import ExpertClient, ExpertUnavailable
from agents.experts.review import Review, ReviewRequest
from agents.hooks import AgentIO
from agents.questions import Question

log = logging.getLogger(__name__)

INLINE_WAIT_S = 1.5
MAX_QUESTION_CHARS = 500


class ExpertDesk:
    def __init__(
        self,
        io: AgentIO,
        client: ExpertClient,
        question: Question,
        *,
        recent: Callable[[], list[dict[str, str]]],
        send_note: Callable[[str], None],
        inline_wait_s: float = INLINE_WAIT_S,
    ) -> None:
        self.io = io
        self.client = client
        self.question = question
        self.recent = recent
        self.send_note = send_note
        self.inline_wait_s = inline_wait_s
        self.reviews: list[Review] = []
        self.failures: list[str] = []
        self.waits_s: list[float] = []  # how long each call held the model (for tests)
        self._tasks: set[asyncio.Task[Review | None]] = set()

    async def ask(self, question: str) -> dict[str, Any]:
        board = self.io.latest_board()
        request = ReviewRequest(
            question=question.strip()[:MAX_QUESTION_CHARS] or "Review this design.",
            company=self.io.brief.company,
            interview_question=self.question.text,
            expected_topics=list(self.question.topics),
            transcript=self.recent(),
            elements=board.elements if board is not None else [],
            png=board.png if board is not None else None,
        )
        task = asyncio.ensure_future(self._review(request, board.seq if board else None))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        started = asyncio.get_running_loop().time()
        done, _ = await asyncio.wait({task}, timeout=self.inline_wait_s)
        self.waits_s.append(asyncio.get_running_loop().time() - started)
        if task in done:
            review = task.result()
            if review is None:
                return {"status": "unavailable",
                        "note": "The expert is not reachable; carry on without it."}
            return {"status": "ok", "review": _for_model(review)}
        task.add_done_callback(self._deliver_late)
        return {"status": "pending",
                "note": "The review will arrive later as an [Expert review] note; carry on "
                        "the conversation meanwhile."}

    async def _review(self, request: ReviewRequest, seq: int | None) -> Review | None:
        try:
            review = await self.client.review(request)
        except ExpertUnavailable as exc:
            self.failures.append(str(exc))
            log.warning("expert unavailable", extra={
                "interview_id": self.io.brief.interview_id, "error": str(exc)})
            return None
        self.reviews.append(review)
        try:
            await self.io.save_review({
                "company": request.company, "expert": review.expert,
                "question": request.question, "snapshot_seq": seq, "review": review.to_dict(),
            })
        except Exception:
            log.exception("storing the expert review failed")
        return review

    def _deliver_late(self, task: asyncio.Task[Review | None]) -> None:
        if task.cancelled() or task.exception() is not None or task.result() is None:
            return
        review = task.result()
        assert review is not None
        risks = "; ".join(review.risks[:2]) or "none"
        ask = review.follow_up_questions[0] if review.follow_up_questions else ""
        self.send_note(f"[Expert review: risks: {risks}. Ask: {ask}]")

    def tool(self) -> Callable[..., Any]:
        desk = self

        async def ask_expert(question: str) -> dict[str, Any]:
            """Ask a senior system-design expert to review the candidate's whiteboard (they
            see the drawing and the recent conversation). Use it once the design has taken
            shape, at most once or twice per interview, and never mention the expert to the
            candidate: use the review to pick your next question.

            Args:
              question: What you want the expert to look at, in one or two sentences.
            """
            return await desk.ask(question)

        return ask_expert

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def _for_model(review: Review) -> dict[str, Any]:
    return {"summary": review.summary, "strengths": review.strengths, "risks": review.risks,
            "follow_up_questions": review.follow_up_questions}
