"""`python -m server`'s start-up (server/heap.py): after it, a first feedback through the
offline judge imports nothing more, so nothing it loads for good lands outside the frozen
start-up heap (where every full collection, with the loop stopped, would walk it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FIRST_FEEDBACK = """
import asyncio, gc, json, sys

import server.__main__  # what `python -m server` has imported when its start-up ends
from server import heap
from agents.feedback.model import FeedbackModel
from tests.agents.feedback import scripts

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082")


async def main() -> None:
    await heap.settle()
    before = set(sys.modules)
    model = FeedbackModel("gemini-2.5-flash")  # no key: the offline server and judge
    try:
        evidence = scripts.design("sd-rate-limiter", scripts.RATE_LIMITER_STRONG,
                                  snapshots=scripts.board(PNG))
        report = await (await model.evaluator()).evaluate(evidence)
    finally:
        await model.close()
    print(json.dumps({"new": sorted(set(sys.modules) - before), "score": report.overall_score,
                      "frozen": gc.get_freeze_count(), "threshold": gc.get_threshold()}))


asyncio.run(main())
"""


def test_first_feedback_after_start_up_imports_nothing_new() -> None:
    proc = subprocess.run([sys.executable, "-c", FIRST_FEEDBACK], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["score"] > 0
    assert out["new"] == []
    assert out["frozen"] > 100_000  # the start-up heap is out of the collector's passes
    assert out["threshold"][0] == 10_000
