"""Words → stems, and the general vocabularies the judge looks for (no question's wording).

Matching is on Snowball stems, phrase by phrase, so "caching", "cached" and "cache" agree,
and a synonym table folds common names of the same idea together (Redis is a cache, Kafka
a queue), so a candidate is credited for the idea, not for echoing the question's words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import snowballstemmer

_STEMMER = snowballstemmer.stemmer("english")
WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")  # "key-value" is two words, "don't" one

STOPWORDS = frozenset("""
a an and are as at be been but by can could did do does for from had has have how i if in into
is it its it's just let me my of on or our so such than that the their them then there these
they this to too us was we were what when where which while who why will with would you your
i'm i'd i'll we'd we'll we're that's there's about also like well yeah okay ok um uh right
such versus vs per each any some more most very really
""".split())

NUMBER_WORDS = frozenset("""
hundred hundreds thousand thousands million millions billion billions trillion
dozen ten twenty thirty forty fifty sixty seventy eighty ninety
""".split())

UNIT = re.compile(
    r"\b(qps|rps|tps|requests?|writes?|reads?|users?|messages?|events?|per (?:second|sec|"
    r"minute|day|hour|month)|/s|ms|milliseconds?|seconds?|minutes?|hours?|days?|"
    r"[kmgtp]b|bytes?|kilobytes?|megabytes?|gigabytes?|terabytes?|petabytes?|percent|%|"
    r"x|times|nines|dau|mau|servers?|nodes?|machines?|shards?|replicas?|regions?)\b"
)
DIGITS = re.compile(r"\b\d[\d,.]*\s*(?:k|m|b|%|x)?\b")


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word.strip("'-"))


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def stems(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def stem_set(text: str) -> frozenset[str]:
    return frozenset(stems(text))


def phrase(text: str) -> tuple[str, ...]:
    return tuple(stems(text))


def has_phrase(tokens: list[str], needle: tuple[str, ...]) -> bool:
    """`needle` (stems) occurs contiguously in `tokens` (stems, stopwords removed)."""
    n = len(needle)
    if n == 1:
        return needle[0] in tokens
    return any(tuple(tokens[i:i + n]) == needle for i in range(len(tokens) - n + 1))


class Lexicon:
    """A named set of phrases; `hits(text)` lists the phrases a text contains."""

    def __init__(self, name: str, entries: Iterable[str]) -> None:
        self.name = name
        self.entries = tuple(entries)
        self.phrases = tuple((e, phrase(e)) for e in self.entries if phrase(e))

    def hits(self, tokens: list[str]) -> list[str]:
        return [e for e, p in self.phrases if has_phrase(tokens, p)]


def has_number(text: str) -> bool:
    """A quantity: digits, or number words, next to a unit ("10k QPS", "five million users")."""
    low = text.lower()
    if DIGITS.search(low) and UNIT.search(low):
        return True
    tokens = words(low)
    return any(t in NUMBER_WORDS for t in tokens) and bool(UNIT.search(low))


QUESTION_START = frozenset(
    "what how who whom which when where why should do does is are will can could would "
    "may might shall did have has any".split()
)


def is_question(text: str) -> bool:
    """A question, with or without the question mark (speech recognition drops it)."""
    stripped = text.strip()
    if "?" in stripped:
        return True
    first = words(stripped[:40])
    return bool(first) and first[0] in QUESTION_START and len(first) >= 3


# Ideas that go by several names: every word maps to the idea's first stem.
_SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("cache", "redis", "memcached", "memcache", "caching", "lru"),
    ("database", "db", "postgres", "postgresql", "mysql", "sql", "datastore", "rdbms",
     "cassandra", "dynamodb", "dynamo", "mongodb", "mongo", "bigtable", "spanner", "store",
     "storage", "persist"),
    ("queue", "kafka", "rabbitmq", "sqs", "pubsub", "kinesis", "stream", "log", "broker"),
    ("shard", "partition", "sharding", "partitioning", "split"),
    ("replica", "replication", "replicate", "follower", "copy", "copies"),
    ("cdn", "edge", "akamai", "cloudfront", "pop"),
    ("balancer", "loadbalancer", "lb", "haproxy", "nginx", "envoy"),
    ("websocket", "websockets", "socket", "long-poll", "sse"),
    ("hash", "hashing", "hashmap", "dictionary", "dict", "map"),
    ("latency", "fast", "slow", "p99", "p95", "millisecond", "milliseconds", "ms"),
    ("analytics", "metrics", "counting", "counter", "counters", "aggregation", "aggregate"),
    ("collision", "collisions", "conflict", "conflicts", "duplicate", "duplicates", "unique"),
    ("expiry", "expire", "expiration", "ttl", "expires"),
    ("idempotency", "idempotent", "dedupe", "deduplication", "deduplicate", "exactly-once"),
    ("notification", "notifications", "push", "notify", "apns", "fcm"),
    ("search", "elasticsearch", "lucene", "solr", "index"),
    ("blob", "s3", "gcs", "object"),
    ("geohash", "quadtree", "geospatial", "s2", "h3"),
    ("complexity", "runtime"),
    ("array", "arrays", "list", "lists", "vector"),
)
_SYN: dict[str, str] = {}
for _group in _SYNONYMS:
    _head = stem(_group[0])
    for _w in _group:
        _SYN.setdefault(stem(_w), _head)


def concept(s: str) -> str:
    return _SYN.get(s, s)


def concepts(tokens: Iterable[str]) -> frozenset[str]:
    return frozenset(concept(t) for t in tokens)
