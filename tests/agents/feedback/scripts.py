"""Scripted candidates for feedback tests: a strong and a weak one per question, written in
the candidate's own words (not the question's topic wording), with an interviewer between."""

from __future__ import annotations

from agents.feedback.evidence import (
    BoardElement,
    Evidence,
    Line,
    QuestionInfo,
    Snapshot,
    Submission,
    TestOutcome,
)
from agents.questions import find_question

RATE_LIMITER_STRONG = [
    "Before designing anything: is this limit per API key or per user, and how many requests "
    "per second does the gateway see at peak?",
    "And should the limiter add at most a couple of milliseconds, and is it acceptable to be "
    "slightly over the limit for a moment?",
    "Okay, so assume 50 thousand requests per second across 200 gateway nodes, with limits "
    "like 1000 requests per minute per customer.",
    "First the algorithm. I'd use a token bucket per customer and endpoint, because it allows "
    "short bursts, whereas a fixed window lets double the rate through at the boundary.",
    "A sliding window log is exact but stores every timestamp, which is expensive in memory, "
    "so token bucket or a sliding window counter is the better trade-off.",
    "Then where the counters live: a Redis cluster shared by all gateways, sharded by customer "
    "id with consistent hashing, and the check-and-decrement done atomically in a Lua script.",
    "To keep latency low each gateway batches updates and keeps a local counter that syncs "
    "every 100 ms, at the cost of a small overshoot.",
    "Limit rules are configuration: stored in a database, pushed to the gateways and cached "
    "there so a config change reaches every node within seconds.",
    "If Redis goes down we have to choose: fail open so customers are not blocked, with local "
    "in-memory limits as a fallback, and an alert fires; for billing endpoints fail closed.",
    "A hot key, one huge customer, can be split across several counters, and Redis replicas "
    "give failover; the bottleneck at 10x is Redis throughput, so we add shards.",
]
RATE_LIMITER_WEAK = [
    "Okay so I guess we count requests.",
    "Maybe put a counter in the server memory.",
    "If there are too many we return an error, I think 429.",
    "Not sure about the details, probably a database would work.",
    "Yeah that's kind of it.",
]

CHAT_STRONG = [
    "Who are the users: one company at a time with up to a hundred thousand employees? Do we "
    "need message history forever, and read receipts?",
    "Let me estimate: 100 thousand users, 40 messages a day each, so about 4 million messages "
    "a day, roughly 50 per second on average and maybe 500 at peak.",
    "First, clients keep a WebSocket open to a gateway tier behind a load balancer; the gateway "
    "only holds connections and forwards messages to a chat service.",
    "The chat service writes each message to Cassandra partitioned by channel id and sorted by "
    "a time-based id, so history loads newest first with a cursor for pagination.",
    "Ordering per channel comes from that sequence id assigned on write, rather than from "
    "client clocks, which drift.",
    "For fan-out the service publishes to Kafka, and gateways subscribe for the channels their "
    "connected users are in; large channels are the expensive case.",
    "Delivery is at least once: the client acknowledges each message and deduplicates by id, "
    "and on reconnect it asks for everything after its last seen id.",
    "Presence uses heartbeats every 30 seconds into a Redis with a TTL; we only push presence "
    "changes to people who have that user on screen, otherwise it explodes.",
    "Offline users get a push notification through APNs or FCM from a notification worker "
    "that reads the same Kafka topic.",
    "If a gateway crashes the clients reconnect to another one and resync; Cassandra "
    "replicates three ways so a node failure loses nothing.",
]
CHAT_WEAK = [
    "Users send messages to a server.",
    "The server saves them in a database I guess.",
    "Then other people can see them when they refresh.",
    "Um maybe use some kind of cache, not sure.",
    "I think that covers it.",
]


def interleave(answers: list[str], step_s: float = 40.0) -> tuple[Line, ...]:
    out, seq, t = [], 1, 5.0
    for answer in answers:
        out.append(Line(seq, "agent", "Could you go on, please?", t))
        out.append(Line(seq + 1, "candidate", answer, t + 4))
        seq, t = seq + 2, t + step_s
    return tuple(out)


def question(qid: str, level: str = "senior") -> QuestionInfo:
    q = find_question(qid)
    assert q is not None
    return QuestionInfo(q.id, q.title, q.text, q.topics, q.hint_for(level))


def design(qid: str, answers: list[str], *, snapshots: tuple[Snapshot, ...] = ()) -> Evidence:
    lines = interleave(answers)
    return Evidence(f"iv-{qid}", "system_design", "senior", "free_practice", "Backend",
                    question(qid), lines, snapshots,
                    phases=(("intro", 0.0), ("interview", 30.0), ("closing", lines[-1].at_s)),
                    duration_s=lines[-1].at_s + 30)


def board(with_png: bytes | None) -> tuple[Snapshot, ...]:
    shapes = [BoardElement(f"s{i}", "rectangle", name) for i, name in
              enumerate(["API gateway", "Redis cluster", "Config database", "Client"])]
    arrows = [BoardElement("a1", "arrow", "", "s3", "s0"),
              BoardElement("a2", "arrow", "", "s0", "s1"),
              BoardElement("a3", "arrow", "", "s2", "s0")]
    return (Snapshot(1, 120.0, tuple(shapes[:2]), None),
            Snapshot(2, 300.0, tuple(shapes + arrows), with_png))


CODING_STRONG = [
    "Can the list contain duplicates, and can a value pair with itself? And how large can it "
    "get, ten thousand elements?",
    "So edge cases: two equal values at different positions, negative numbers, and exactly "
    "two elements.",
    "Brute force checks every pair, which is quadratic, O(n squared). Instead I'll walk the "
    "list once with a hash map from value to index.",
    "For each element I look up target minus the value in the dictionary before storing the "
    "current one, so an element never pairs with itself.",
    "That's O(n) time and O(n) extra space for the map.",
]
CODING_WEAK = [
    "Okay I'll just loop.",
    "Two loops I guess.",
    "I think it works now maybe.",
]
GOOD_CODE = """def pair_with_target_sum(nums, target):
    # remember where each value was seen; check the partner before storing
    seen = {}
    for index, value in enumerate(nums):
        partner = target - value
        if partner in seen:
            return [seen[partner], index]
        seen[value] = index
    return []
"""
BAD_CODE = """def pair_with_target_sum(a, t):
    d = {}
    for i, x in enumerate(a):
        d[x] = i
        if t - x in d:
            return sorted([d[t - x], i])
    return []
"""


def coding(strong: bool) -> Evidence:
    lines = interleave(CODING_STRONG if strong else CODING_WEAK, step_s=60)
    if strong:
        subs = (Submission("sub-1", 280.0, "python", GOOD_CODE, 10, 10, "accepted"),)
    else:
        fail = TestOutcome(False, "[[3, 2, 4], 6]", "[1, 2]", "[0, 0]", "wrong_answer")
        subs = (Submission("sub-1", 150.0, "python", BAD_CODE, 7, 10, "wrong_answer", (fail,)),
                Submission("sub-2", 170.0, "python", BAD_CODE, 7, 10, "wrong_answer", (fail,)))
    return Evidence("iv-code", "coding", "mid", "free_practice", "Backend",
                    question("pair-with-target-sum", "mid"), lines, (), subs,
                    duration_s=lines[-1].at_s + 30)
