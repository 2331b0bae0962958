"""What each candidate line shows: the general signals interviewers listen for.

Every signal keeps the lines it came from, so each score can cite its evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agents.feedback.evidence import Line
from agents.feedback.scoring.text import Lexicon, has_number, is_question, stems

COMPONENTS = Lexicon("components", [
    "load balancer", "api gateway", "gateway", "reverse proxy", "proxy", "web server",
    "app server", "application server", "service", "microservice", "database", "db",
    "sql", "nosql", "key value store", "cache", "redis", "memcached", "queue",
    "message queue", "kafka", "pub sub", "stream", "worker", "consumer", "producer", "cdn",
    "object storage", "blob storage", "s3", "search index", "elasticsearch", "scheduler",
    "cron", "websocket", "client", "mobile app", "browser", "dns", "rate limiter",
    "coordinator", "zookeeper", "etcd", "data warehouse", "batch job", "lambda",
    "replica", "shard", "index", "table", "api", "endpoint", "server", "cluster",
    "bucket", "topic", "pipeline", "notification service", "storage",
])
FLOW = Lexicon("flow", [
    "send", "sends", "goes to", "forward", "route", "calls", "call", "write to", "writes",
    "read from", "reads", "publish", "subscribe", "consume", "push", "pull", "fetch",
    "return", "request", "response", "redirect", "look up", "lookup", "stores", "store it",
    "hits", "upload", "download", "stream", "flow", "then", "next",
])
TRADE_OFFS = Lexicon("trade-offs", [
    "trade off", "tradeoff", "trade-off", "versus", "instead of", "rather than",
    "downside", "drawback", "on the other hand", "at the cost of", "pros", "cons",
    "compared to", "whereas", "alternative", "alternatively", "the catch", "benefit",
    "cost", "expensive", "cheaper", "simpler", "complex", "because", "the reason",
    "eventual consistency", "strong consistency", "consistency", "availability",
])
FAILURES = Lexicon("failure handling", [
    "fail", "failure", "failover", "fail over", "retry", "retries", "back off", "backoff",
    "timeout", "crash", "outage", "goes down", "down", "replica", "replication",
    "redundant", "redundancy", "backup", "idempotent", "idempotency", "circuit breaker",
    "fallback", "degrade", "graceful", "dead letter", "at least once", "exactly once",
    "durable", "durability", "recover", "recovery", "quorum", "heartbeat", "health check",
    "lost", "loss", "duplicate", "monitor", "alert", "fail open", "fail closed",
])
SCALE = Lexicon("scalability", [
    "shard", "sharding", "partition", "partitioning", "replica", "read replica",
    "horizontal", "horizontally", "scale out", "scale up", "vertical", "load balancer",
    "cache", "caching", "cdn", "consistent hashing", "autoscaling", "auto scale",
    "hot key", "hot spot", "hotspot", "bottleneck", "throughput", "latency", "queue",
    "asynchronous", "async", "batch", "fan out", "region", "multi region", "p99",
    "capacity", "peak", "qps", "rps", "bandwidth", "stateless", "denormalize",
    "precompute", "rate limit", "backpressure", "geo",
])
DATA_MODEL = Lexicon("data model", [
    "schema", "table", "column", "row", "primary key", "partition key", "sort key",
    "foreign key", "index", "secondary index", "document", "field", "record", "key value",
    "data model", "store the", "json", "blob", "id", "user id", "timestamp", "counter",
])
REQUIREMENTS = Lexicon("requirements", [
    "requirement", "requirements", "functional", "non functional", "use case", "scope",
    "out of scope", "assume", "assumption", "estimate", "how many", "users", "daily active",
    "dau", "read write ratio", "read heavy", "write heavy", "latency", "availability",
    "consistency", "sla", "peak", "traffic", "retention", "storage", "scale", "mvp",
    "should we", "do we need", "do we support", "constraint", "constraints", "input size",
])
STRUCTURE = Lexicon("structure", [
    "first", "second", "third", "then", "next", "finally", "to summarize", "in summary",
    "let me", "step", "overall", "start with", "begin with", "so the", "the idea",
    "approach", "plan", "after that", "moving on", "to recap", "the key",
])
HEDGES = Lexicon("hedges", [
    "um", "uh", "i guess", "not sure", "i don't know", "i dont know", "no idea",
    "whatever", "kind of", "sort of", "maybe", "i think so", "probably", "something like",
    "stuff", "thing", "things", "dunno", "hmm",
])
EDGE_CASES = Lexicon("edge cases", [
    "edge case", "corner case", "empty", "null", "none", "zero", "negative", "duplicate",
    "duplicates", "single element", "one element", "overflow", "large input", "sorted",
    "unsorted", "invalid", "boundary", "constraint", "constraints", "input size",
    "worst case", "ties", "same value", "out of range",
])
ALGORITHMS = Lexicon("algorithms", [
    "hash map", "hashmap", "hash table", "dictionary", "set", "two pointers",
    "two pointer", "sliding window", "sort", "sorting", "binary search", "stack", "queue",
    "heap", "priority queue", "bfs", "dfs", "breadth first", "depth first",
    "dynamic programming", "memoization", "memoize", "greedy", "recursion", "recursive",
    "iterate", "iterative", "prefix sum", "graph", "tree", "trie", "union find",
    "topological", "backtracking", "brute force", "optimize", "optimise", "linear scan",
    "one pass", "single pass", "invariant", "pointer", "counter", "frequency",
])
COMPLEXITY = Lexicon("complexity", [
    "time complexity", "space complexity", "big o", "linear time", "linear", "constant",
    "constant space", "log n", "n log n", "logarithmic", "quadratic", "n squared",
    "exponential", "o n", "o 1", "o log n", "o n log n", "o n squared", "o n 2",
    "extra space", "memory", "amortized",
])
BIG_O = re.compile(r"\bo\s*\(\s*[^)]{1,20}\)", re.I)


@dataclass
class LineSignals:
    line: Line
    tokens: list[str]
    word_count: int
    question: bool
    number: bool
    hits: dict[str, list[str]] = field(default_factory=dict)

    def has(self, lexicon: str) -> bool:
        return bool(self.hits.get(lexicon))


LEXICONS = (COMPONENTS, FLOW, TRADE_OFFS, FAILURES, SCALE, DATA_MODEL, REQUIREMENTS,
            STRUCTURE, HEDGES, EDGE_CASES, ALGORITHMS, COMPLEXITY)


def analyse(line: Line) -> LineSignals:
    text = line.text
    low = text.lower()
    tokens = stems(low.replace("(", " ").replace(")", " "))
    sig = LineSignals(line, tokens, len(text.split()), is_question(text), has_number(text))
    for lex in LEXICONS:
        found = lex.hits(tokens)
        if found:
            sig.hits[lex.name] = found
    if BIG_O.search(text):
        sig.hits.setdefault("complexity", []).append("O(...)")
    return sig
