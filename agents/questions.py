"""The interviewer's question bank: system-design prompts written for this product, and the
coding problems seeded in `storage/seed/coding_questions/` (read as data files).

A question carries what a good answer should touch (`topics`, which also reach the model
in the interview brief) and, per level, what to push for (`level_hints`).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

CODING_BANK_DIR = Path(__file__).resolve().parents[1] / "storage" / "seed" / "coding_questions"


@dataclass(frozen=True)
class Question:
    id: str
    type: str  # one of storage.vocabulary.INTERVIEW_TYPES
    title: str
    text: str
    topics: tuple[str, ...]
    level_hints: dict[str, str] = field(default_factory=dict)
    companies: tuple[str, ...] = ()
    difficulty: str = "medium"

    def hint_for(self, level: str) -> str:
        return self.level_hints.get(level) or self.level_hints.get("senior", "")


def _sd(
    id: str, title: str, text: str, topics: list[str], hints: dict[str, str],
    companies: tuple[str, ...] = (),
) -> Question:
    return Question(id, "system_design", title, text, tuple(topics), hints, companies)


SYSTEM_DESIGN: tuple[Question, ...] = (
    _sd(
        "sd-link-shortener", "Link shortener",
        "Design a service that turns long web addresses into short links and redirects "
        "visitors, with per-link click analytics for the link owner.",
        ["short code generation and collisions", "read-heavy redirect path and caching",
         "storage choice and key-value layout", "click analytics pipeline",
         "abuse and expiry"],
        {"junior": "A working API and data model; one cache in front of the store.",
         "mid": "Code generation without collisions; cache hit rates; a basic analytics path.",
         "senior": "Redirect latency budget, sharding, async analytics, hot links.",
         "staff": "Multi-region reads, consistency of custom aliases, cost at 100x scale."},
    ),
    _sd(
        "sd-chat", "Team chat",
        "Design a team chat product: channels, direct messages, message history and "
        "online presence, used by companies with up to a hundred thousand employees.",
        ["persistent connections and fan-out", "message ordering and delivery guarantees",
         "message storage and history pagination", "presence at scale",
         "offline delivery and notifications"],
        {"junior": "Send and receive flow, a message table, how history loads.",
         "mid": "WebSocket gateways, per-channel ordering, unread counts.",
         "senior": "Fan-out for large channels, delivery semantics, presence cost.",
         "staff": "Multi-region tenancy, retention and compliance, failure isolation."},
        ("meta",),
    ),
    _sd(
        "sd-news-feed", "Home feed",
        "Design the home feed of a social app where people follow each other and see "
        "recent posts from the accounts they follow, ranked.",
        ["fan-out on write versus on read", "celebrity accounts", "feed storage and caching",
         "ranking pipeline", "pagination and freshness"],
        {"junior": "Posts and follows data model; building a feed with a query.",
         "mid": "Precomputed feeds in a cache, when to fan out.",
         "senior": "Hybrid fan-out for celebrities, ranking features, cache invalidation.",
         "staff": "Cost model of fan-out, experimentation on ranking, regional failover."},
        ("meta",),
    ),
    _sd(
        "sd-rate-limiter", "Rate limiter",
        "Design a rate limiter that an API gateway can consult on every request to enforce "
        "per-customer and per-endpoint limits across a fleet of servers.",
        ["limiting algorithms such as token bucket or sliding window",
         "shared counter store and its latency", "accuracy versus availability",
         "configuration of limits", "behaviour when the limiter is down"],
        {"junior": "One algorithm explained clearly with a single counter store.",
         "mid": "Sliding window versus token bucket, atomic updates.",
         "senior": "Local plus global counting, fail-open or fail-closed, hot keys.",
         "staff": "Multi-region limits, fairness across tenants, rollout of new limits."},
        ("amazon", "google"),
    ),
    _sd(
        "sd-video-streaming", "Video streaming",
        "Design a video streaming service: creators upload films and series, viewers around "
        "the world watch them on TVs, phones and laptops.",
        ["upload and transcoding pipeline", "adaptive bitrate streaming",
         "content delivery network and edge caching", "metadata and catalogue service",
         "playback start time and rebuffering"],
        {"junior": "Upload, store, play back; why a CDN helps.",
         "mid": "Transcoding ladder, segment formats, catalogue storage.",
         "senior": "CDN placement and cache fill, playback quality metrics, regional outages.",
         "staff": "Own edge boxes versus a commercial CDN, cost per stream hour, chaos tests."},
        ("netflix",),
    ),
    _sd(
        "sd-ride-hailing", "Ride matching",
        "Design the backend that matches riders with nearby drivers for a ride-hailing app, "
        "including live driver locations and trip state.",
        ["location ingestion at high write rate", "geospatial indexing",
         "matching and dispatch", "trip state machine", "surge and supply balancing"],
        {"junior": "Driver location updates and a nearest-driver query.",
         "mid": "Geohash or quadtree indexing, a trip state machine.",
         "senior": "Write volume of location pings, dispatch fairness, partitions by city.",
         "staff": "Global rollout, consistency of trip state during failures, pricing signals."},
    ),
    _sd(
        "sd-web-crawler", "Web crawler",
        "Design a web crawler that keeps a fresh copy of a billion pages for a search "
        "index, while being polite to the sites it visits.",
        ["URL frontier and prioritisation", "politeness and robots rules",
         "duplicate and near-duplicate detection", "distributed workers and coordination",
         "recrawl scheduling for freshness"],
        {"junior": "A fetch loop with a queue of URLs and a visited set.",
         "mid": "Per-host queues, politeness delays, content hashing.",
         "senior": "Frontier partitioning, recrawl policy, traps and spam.",
         "staff": "Crawl budget allocation, index freshness targets, cost per page."},
        ("google",),
    ),
    _sd(
        "sd-notifications", "Notification service",
        "Design a notification service other teams call to send push, email and SMS "
        "messages, with user preferences and delivery tracking.",
        ["API and message queue", "per-channel providers and retries",
         "user preferences and quiet hours", "deduplication and idempotency",
         "delivery tracking and analytics"],
        {"junior": "An API that queues messages and a worker that sends them.",
         "mid": "Retries with back-off, preference checks, templates.",
         "senior": "Idempotency keys, priority lanes, provider failover, rate limits.",
         "staff": "Multi-tenant isolation, cost per message, regulatory constraints."},
        ("amazon",),
    ),
    _sd(
        "sd-file-sync", "File sync",
        "Design a file storage and sync product: people keep folders in sync across their "
        "devices and share them with others.",
        ["chunking and deduplication", "metadata service", "sync protocol and change feed",
         "conflict handling", "block storage and durability"],
        {"junior": "Upload and download of whole files with a metadata table.",
         "mid": "Chunked uploads, change notifications to devices.",
         "senior": "Content-addressed chunks, conflict resolution, large shared folders.",
         "staff": "Durability targets, storage tiering, sync at tens of millions of devices."},
        ("google",),
    ),
    _sd(
        "sd-ticketing", "Event ticketing",
        "Design an event ticketing system where fans buy seats for popular concerts that "
        "can sell out within minutes of going on sale.",
        ["seat inventory and reservations with expiry", "preventing double booking",
         "virtual waiting room for traffic spikes", "payment flow and idempotency",
         "read scaling of event pages"],
        {"junior": "Seat table, a booking transaction, what stops two people buying one seat.",
         "mid": "Temporary holds with expiry, payment callbacks.",
         "senior": "Queueing at the edge, hot rows, consistency under spikes.",
         "staff": "Fairness against bots, multi-region inventory, operational playbooks."},
        ("amazon",),
    ),
    _sd(
        "sd-metrics", "Metrics monitoring",
        "Design a metrics and alerting system that collects measurements from a hundred "
        "thousand servers, shows dashboards, and pages engineers when something breaks.",
        ["ingestion pipeline and aggregation", "time-series storage and downsampling",
         "query path for dashboards", "alert evaluation", "cardinality control"],
        {"junior": "Agents push numbers to a store; a dashboard reads them.",
         "mid": "Time-series layout, rollups, alert rules on a schedule.",
         "senior": "High-cardinality labels, late data, alerting when the pipeline itself fails.",
         "staff": "Retention cost, multi-tenant fairness, meta-monitoring."},
        ("google", "netflix"),
    ),
    _sd(
        "sd-autocomplete", "Search autocomplete",
        "Design search-as-you-type suggestions for a large shopping site: as people type, "
        "show the most likely completions within a few tens of milliseconds.",
        ["prefix data structures such as tries", "ranking by popularity and freshness",
         "offline aggregation of query logs", "serving latency and caching",
         "personalisation and filtering"],
        {"junior": "A trie and how a prefix lookup works.",
         "mid": "Top-k per prefix, updating counts from logs.",
         "senior": "Sharding the index, freshness of trending queries, edge caching.",
         "staff": "Multi-language support, experimentation, cost of personalisation."},
        ("amazon", "google"),
    ),
    _sd(
        "sd-payments-ledger", "Payments ledger",
        "Design the ledger behind a digital wallet: people top up, pay merchants and send "
        "money to each other, and balances must always be right.",
        ["double-entry bookkeeping", "idempotent transfer API", "transactions and isolation",
         "reconciliation with external processors", "audit trail and immutability"],
        {"junior": "Accounts and transfers tables, a transaction for one transfer.",
         "mid": "Idempotency keys, double-entry records, failure in the middle.",
         "senior": "Partitioning accounts, hot wallets, reconciliation jobs.",
         "staff": "Cross-region consistency, regulatory audit, migration of a live ledger."},
    ),
    _sd(
        "sd-collab-editor", "Collaborative editor",
        "Design a collaborative document editor where several people edit the same "
        "document at once and see each other's cursors live.",
        ["operational transformation or CRDTs", "real-time sync sessions",
         "document storage and snapshots", "offline edits and merge",
         "permissions and sharing"],
        {"junior": "Saving a document and broadcasting changes to other viewers.",
         "mid": "Why concurrent edits conflict; one merge technique.",
         "senior": "OT versus CRDT trade-offs, session servers, snapshot plus log storage.",
         "staff": "Very large documents, multi-region editing, history and undo at scale."},
        ("google",),
    ),
)

_CODING_FALLBACK: tuple[Question, ...] = (
    Question(
        "pair-with-target-sum", "coding", "Pair with target sum",
        "Given a list of integers and a target, return the positions of two different "
        "elements that add up to the target.",
        ("hash map lookups", "time and space complexity", "edge cases such as duplicates"),
        {"junior": "A correct solution and its complexity.",
         "senior": "Linear time, clean code, tests for edge cases."},
        difficulty="easy",
    ),
)


def _speakable(markdown: str, max_chars: int = 450) -> str:
    """The problem statement before its Input/Output/Examples sections, as one plain line."""
    body = re.split(r"\n\*\*(?:Input|Output|Example)", markdown, maxsplit=1)[0]
    body = re.sub(r"[`*]", "", body)
    body = re.sub(r"^\s*-\s+", "", body, flags=re.MULTILINE)
    text = " ".join(body.split())
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    end = cut.rfind(". ")
    return cut[: end + 1] if end > 0 else cut.rstrip() + "..."


@cache
def coding_questions() -> tuple[Question, ...]:
    """The seeded coding problems as interview questions (a short fallback if none exist)."""
    out = []
    for path in sorted(CODING_BANK_DIR.glob("*.json")):
        data = json.loads(path.read_text())
        topics = tuple(data.get("tags") or ()) + ("complexity analysis", "testing edge cases")
        hints = {h_level: text for h_level, text in _coding_hints(data.get("hints") or [])}
        out.append(Question(
            id=data["slug"],
            type="coding",
            title=data["title"],
            text=f"{data['title']}. {_speakable(data['description'])}",
            topics=topics,
            level_hints=hints,
            companies=tuple(data.get("companies") or ()),
            difficulty=data.get("difficulty", "medium"),
        ))
    return tuple(out) or _CODING_FALLBACK


def _coding_hints(hints: list[str]) -> list[tuple[str, str]]:
    """Stored hints go from gentle to revealing: juniors may get the later ones."""
    if not hints:
        return []
    return [("junior", hints[-1]), ("mid", hints[min(1, len(hints) - 1)]),
            ("senior", hints[0]), ("staff", hints[0])]


_LEVEL_DIFFICULTY = {"junior": ("easy", "medium"), "mid": ("easy", "medium"),
                     "senior": ("medium", "hard"), "staff": ("medium", "hard")}


def bank(kind: str) -> tuple[Question, ...]:
    return coding_questions() if kind == "coding" else SYSTEM_DESIGN


def find_question(question_id: str | None) -> Question | None:
    if not question_id:
        return None
    for q in (*SYSTEM_DESIGN, *coding_questions()):
        if q.id == question_id:
            return q
    return None


def pick_question(kind: str, level: str, company: str,
                  rng: random.Random | None = None) -> Question:
    """A question for this interview: the company's favourites first, the level's difficulty
    for coding, and otherwise any; chosen at random so repeat practice varies."""
    rng = rng or random.Random()
    pool = list(bank(kind))
    if kind == "coding":
        fitting = [q for q in pool if q.difficulty in _LEVEL_DIFFICULTY.get(level, ("medium",))]
        pool = fitting or pool
    preferred = [q for q in pool if company in q.companies]
    if preferred and rng.random() < 0.7:
        pool = preferred
    return rng.choice(pool)


def question_from_brief(kind: str, question_id: str | None, text: str) -> Question:
    """The interview already has a question (e.g. a rejoin): use the bank's entry for its
    topics when it is one of ours, or wrap the stored text."""
    known = find_question(question_id)
    if known is not None and known.type == kind:
        return known
    return Question(question_id or "custom", kind, text.split(".")[0][:80], text,
                    ("requirements", "design trade-offs", "scalability"))
