"""What the candidate has said so far: technologies, topics, decisions and their name.

Plain rules over a vocabulary, no ML: text (typed, or speech recognised by an ASR that
gives lowercase words without punctuation) goes into `observe()`, which returns the items
it noticed for the first time. The interviewer uses them to ask follow-ups that reference
what the candidate said, and `summary()` gives one short line for prompts.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

# canonical name -> spoken/typed forms (lowercase, words separated by single spaces)
TECHNOLOGIES: dict[str, tuple[str, ...]] = {
    "Redis": ("redis",),
    "Memcached": ("memcached", "memcache", "mem cache"),
    "PostgreSQL": ("postgresql", "postgres", "postgre sql", "post gres"),
    "MySQL": ("mysql", "my sql"),
    "Cassandra": ("cassandra",),
    "DynamoDB": ("dynamodb", "dynamo db", "dynamo"),
    "MongoDB": ("mongodb", "mongo db", "mongo"),
    "Bigtable": ("bigtable", "big table"),
    "Spanner": ("spanner",),
    "Kafka": ("kafka",),
    "RabbitMQ": ("rabbitmq", "rabbit mq", "rabbit"),
    "SQS": ("sqs", "s q s"),
    "S3": ("s3", "s three", "object storage", "blob storage"),
    "CDN": ("cdn", "cdns", "c d n", "content delivery network"),
    "load balancer": ("load balancer", "load balancers"),
    "API gateway": ("api gateway", "gateway"),
    "Nginx": ("nginx", "engine x"),
    "Kubernetes": ("kubernetes", "k8s"),
    "Docker": ("docker",),
    "Elasticsearch": ("elasticsearch", "elastic search"),
    "ZooKeeper": ("zookeeper", "zoo keeper"),
    "gRPC": ("grpc", "g r p c"),
    "GraphQL": ("graphql", "graph q l"),
    "REST": ("rest api", "restful", "rest"),
    "WebSockets": ("websockets", "websocket", "web sockets", "web socket"),
    "Spark": ("spark",),
    "Hadoop": ("hadoop",),
    "Bloom filter": ("bloom filter", "bloom filters"),
    "microservices": ("microservices", "microservice", "micro services"),
    "NoSQL": ("nosql", "no sql"),
    "SQL": ("sql", "relational database", "relational databases"),
    "Python": ("python",),
    "Java": ("java",),
    "JavaScript": ("javascript", "java script", "typescript", "node"),
    "Go": ("golang",),
    "C++": ("c plus plus", "c++", "cpp"),
    "Rust": ("rust",),
}

# canonical topic -> words/phrases that show the candidate talked about it
TOPICS: dict[str, tuple[str, ...]] = {
    "caching": ("cache", "caches", "caching", "cached", "redis", "memcached", "ttl",
                "eviction", "lru", "hot keys", "cache hit"),
    "storage": ("database", "databases", "storage", "store", "stored", "sql", "nosql",
                "postgres", "postgresql", "mysql", "cassandra", "dynamodb", "key value",
                "bigtable", "spanner", "mongodb"),
    "sharding": ("shard", "shards", "sharding", "sharded", "partition", "partitions",
                 "partitioning", "partitioned", "consistent hashing"),
    "replication": ("replica", "replicas", "replication", "replicate", "replicated",
                    "leader follower", "primary", "secondary", "followers"),
    "load balancing": ("load balancer", "load balancers", "load balancing", "round robin"),
    "asynchronous processing": ("queue", "queues", "kafka", "rabbitmq", "sqs", "async",
                                "asynchronous", "asynchronously", "worker", "workers",
                                "pub sub", "stream", "streaming", "background job"),
    "consistency": ("consistency", "consistent", "eventual consistency", "stale",
                    "strongly consistent", "eventually consistent", "invalidate",
                    "invalidation"),
    "availability": ("availability", "available", "failover", "fault tolerance",
                     "fault tolerant", "redundancy", "redundant", "outage", "downtime"),
    "latency": ("latency", "milliseconds", "response time", "fast", "slow", "quickly"),
    "throughput": ("throughput", "qps", "requests per second", "traffic", "peak"),
    "rate limiting": ("rate limit", "rate limiting", "rate limiter", "throttle",
                      "throttling"),
    "hashing and ID generation": ("hash", "hashing", "hashes", "base62", "base 62",
                                  "base64", "unique id", "unique ids", "id generation",
                                  "counter", "snowflake", "collision", "collisions"),
    "analytics": ("analytics", "click", "clicks", "metrics", "counting", "count",
                  "dashboard", "tracking", "statistics"),
    "monitoring": ("monitoring", "monitor", "alert", "alerts", "alerting", "logging",
                   "logs", "observability"),
    "security": ("security", "auth", "authentication", "authorization", "encryption",
                 "encrypt", "https", "tls", "abuse", "spam", "malicious"),
    "API design": ("api", "apis", "endpoint", "endpoints", "rest", "grpc", "graphql",
                   "http"),
    "content delivery": ("cdn", "cdns", "edge", "static content", "content delivery"),
    "scalability": ("scale", "scaling", "scalable", "horizontal", "horizontally",
                    "vertical", "vertically", "million", "millions", "billion", "billions"),
    "data modeling": ("schema", "data model", "table", "tables", "index", "indexes",
                      "indexing", "column", "columns", "row", "rows"),
    # coding interviews
    "time complexity": ("time complexity", "big o", "o of n", "linear", "logarithmic",
                        "quadratic", "n log n", "o n", "constant time", "linear time"),
    "space complexity": ("space complexity", "extra space", "memory usage",
                         "constant space", "in place"),
    "edge cases": ("edge case", "edge cases", "corner case", "corner cases", "empty",
                   "null", "duplicates", "negative", "overflow", "invalid input"),
    "testing": ("test", "tests", "testing", "unit test", "unit tests", "test case",
                "test cases"),
    "hash map": ("hash map", "hashmap", "hash table", "dictionary", "hash set", "map"),
    "two pointers": ("two pointers", "two pointer", "left pointer", "right pointer"),
    "sorting": ("sort", "sorted", "sorting"),
    "binary search": ("binary search",),
    "recursion": ("recursion", "recursive", "recursively", "base case"),
    "dynamic programming": ("dynamic programming", "memoization", "memoize", "dp table"),
    "graph traversal": ("bfs", "dfs", "breadth first", "depth first", "graph", "graphs"),
    "heap": ("heap", "priority queue", "min heap", "max heap"),
    "stack": ("stack", "stacks"),
    "trees": ("tree", "trees", "binary tree", "node", "nodes", "bst"),
    "sliding window": ("sliding window", "window"),
    "arrays": ("array", "arrays", "list", "lists", "index"),
}

_DECISION_LEAD = re.compile(
    r"\b(?:i would|i'd|i will|i'll|we would|we'd|we can|we could|we should|we will|"
    r"we'll|let's|lets|let us|i want to|i'm going to|i am going to|we're going to|"
    r"we are going to|my plan is to|i plan to|i'd like to|i would like to|i choose to|"
    r"i chose|i picked|i'd pick|i prefer)\s+"
)
_DECISION_STOP = re.compile(
    r"\b(?:and then|and|but|because|so that|so|since|then|which|while|although|though|"
    r"if|unless|or)\b"
)
_DECISION_FILLER = re.compile(
    r"^(?:probably|just|also|then|first|definitely|rather|maybe|actually|really|"
    r"like to|want to|need to|go ahead and|start by|try to|say|think)\s+"
)
_DECISION_VERBS = frozenset(
    "use put store keep add shard partition replicate cache choose pick go build "
    "design start split run deploy serve send write read hash generate precompute "
    "compute count index queue batch stream limit encode sort iterate scan walk "
    "have make return track maintain push pop check validate handle avoid rely "
    "introduce place move back front route".split()
)
_NAME_EXPLICIT = re.compile(r"\b(?:my name is|my name's|name is|call me|i go by)\s+([a-z][a-z'-]+)")
_NAME_SOFT = re.compile(r"\b(?:i'm|i am|this is|it's)\s+([a-z][a-z'-]+)")
KNOWN_NAMES = frozenset(
    "alex sam maria john priya wei chen david sarah michael emily james anna ravi li "
    "jordan taylor chris kim lee daniel laura mohammed fatima carlos sofia arjun mei "
    "noah olivia liam emma lucas mia ethan ava omar nina peter paul kevin jane tom "
    "raj ana leo max ben dan amy".split()
)
_NOT_NAMES = frozenset(
    "a an the going gonna here happy glad fine good great ok okay ready not so very "
    "really just also currently working a senior junior staff software backend "
    "frontend engineer developer interested done sure thinking trying looking "
    "excited pretty quite kind sort".split()
)


def normalize(text: str) -> str:
    """Lowercase words separated by single spaces, keeping apostrophes and '+'."""
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"[^a-z0-9'+ ]+", " ", text)
    return " ".join(text.split())


def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = sorted(phrases, key=len, reverse=True)
    body = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in alternatives)
    return re.compile(rf"(?<![a-z0-9+])(?:{body})(?![a-z0-9+])")


_TECH_ALIASES = sorted(
    ((form, name) for name, forms in TECHNOLOGIES.items() for form in forms),
    key=lambda pair: len(pair[0]),
    reverse=True,
)
_TECH_ALIAS_PATTERNS = [(_phrase_pattern((form,)), name) for form, name in _TECH_ALIASES]
_TOPIC_PATTERNS = {name: _phrase_pattern(forms) for name, forms in TOPICS.items()}


_HASH_STRUCTURES = re.compile(r"\bhash (?:map|maps|table|tables|set|sets)\b")


@dataclass(frozen=True)
class Extraction:
    """What one piece of text mentions, in order of first appearance."""

    technologies: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    decisions: tuple[str, ...] = ()
    name: str | None = None


def _ordered_matches(patterns: dict[str, re.Pattern[str]], text: str) -> tuple[str, ...]:
    found: list[tuple[int, str]] = []
    for name, pattern in patterns.items():
        m = pattern.search(text)
        if m:
            found.append((m.start(), name))
    return tuple(name for _, name in sorted(found))


def _technologies(text: str) -> tuple[str, ...]:
    """Longest alias first; a matched span is blanked so "my sql" is not also "SQL"."""
    first: dict[str, int] = {}
    for pattern, name in _TECH_ALIAS_PATTERNS:
        for m in list(pattern.finditer(text)):
            first[name] = min(first.get(name, m.start()), m.start())
            text = text[: m.start()] + " " * (m.end() - m.start()) + text[m.end() :]
    return tuple(sorted(first, key=lambda name: first[name]))


def _decisions(original: str) -> tuple[str, ...]:
    out: list[str] = []
    for sentence in re.split(r"[.!?;:\n]+", original):
        text = normalize(sentence)
        leads = list(_DECISION_LEAD.finditer(text))
        for i, m in enumerate(leads):
            end = leads[i + 1].start() if i + 1 < len(leads) else len(text)
            clause = text[m.end() : end]
            stop = _DECISION_STOP.search(clause)
            if stop:
                clause = clause[: stop.start()]
            clause = clause.strip()
            while True:
                stripped = _DECISION_FILLER.sub("", clause)
                if stripped == clause:
                    break
                clause = stripped
            words = clause.split()[:10]
            if len(words) < 2 or words[0] not in _DECISION_VERBS:
                continue
            decision = " ".join(words)
            if decision not in out:
                out.append(decision)
    return tuple(out)


def _name(original: str, text: str) -> str | None:
    m = _NAME_EXPLICIT.search(text)
    if m and m.group(1) not in _NOT_NAMES:
        return m.group(1).capitalize()
    for m in _NAME_SOFT.finditer(text):
        word = m.group(1)
        if word in _NOT_NAMES:
            continue
        capitalized_in_original = re.search(rf"\b{re.escape(word.capitalize())}\b", original)
        if word in KNOWN_NAMES or capitalized_in_original:
            return word.capitalize()
    return None


def extract(text: str, unsure: Collection[str] = ()) -> Extraction:
    """Technologies, topics, decisions and a self-introduced name mentioned in `text`.

    `unsure`: normalized words the speech recogniser was not confident of. Nothing that
    contains one is extracted (an interviewer must not quote back a misheard word).
    """
    norm = normalize(text)
    if unsure:
        doubtful = set(unsure)
        norm = " ".join("#" if w in doubtful else w for w in norm.split())
    name = _name(text, norm)
    return Extraction(
        technologies=_technologies(norm),
        topics=_ordered_matches(_TOPIC_PATTERNS, _HASH_STRUCTURES.sub("hashmap", norm)),
        decisions=tuple(d for d in _decisions(text) if not set(d.split()) & set(unsure)),
        name=None if name and name.lower() in unsure else name,
    )


def topic_keywords(topic: str) -> frozenset[str]:
    """Words that count as covering a free-text topic (e.g. "redirect latency")."""
    norm = normalize(topic)
    words = {w for w in norm.split() if len(w) > 2 and w not in {"and", "the", "for", "with"}}
    keywords: set[str] = set(words)
    for name, forms in TOPICS.items():
        name_words = set(normalize(name).split())
        stems = {w[:5] for w in name_words if len(w) > 3}
        if name_words & words or stems & {w[:5] for w in words}:
            keywords.update(forms)
    return frozenset(keywords)


@dataclass
class ConversationMemory:
    """Everything the candidate mentioned, ordered by first mention and deduplicated."""

    _technologies: list[str] = field(default_factory=list)
    _topics: list[str] = field(default_factory=list)
    _decisions: list[str] = field(default_factory=list)
    _said: list[str] = field(default_factory=list)
    candidate_name: str | None = None

    @property
    def technologies(self) -> list[str]:
        return list(self._technologies)

    @property
    def topics(self) -> list[str]:
        return list(self._topics)

    @property
    def decisions(self) -> list[str]:
        return list(self._decisions)

    @property
    def said(self) -> str:
        """Everything observed, normalized, one space between turns."""
        return " ".join(self._said)

    def observe(self, text: str, unsure: Collection[str] = ()) -> list[str]:
        """Take in one candidate turn; return the items noticed for the first time (none
        that rest on an `unsure` word)."""
        norm = normalize(text)
        if not norm:
            return []
        self._said.append(norm)
        found = extract(text, unsure)
        new: list[str] = []
        for item, seen in (
            *((t, self._technologies) for t in found.technologies),
            *((t, self._topics) for t in found.topics),
            *((d, self._decisions) for d in found.decisions),
        ):
            if item not in seen:
                seen.append(item)
                new.append(item)
        if found.name and self.candidate_name is None:
            self.candidate_name = found.name
            new.append(found.name)
        return new

    def covers(self, topic: str) -> bool:
        """Whether anything the candidate said touches a free-text topic."""
        said = " " + self.said + " "
        return any(
            re.search(rf"(?<![a-z0-9]){re.escape(k)}(?![a-z0-9])", said)
            for k in topic_keywords(topic)
        )

    def summary(self) -> str:
        parts: list[str] = []
        if self.candidate_name:
            parts.append(f"Candidate {self.candidate_name}")
        if self._technologies:
            parts.append("mentioned " + ", ".join(self._technologies[:6]))
        if self._topics:
            parts.append("topics " + ", ".join(self._topics[:6]))
        if self._decisions:
            parts.append("decided to " + "; ".join(self._decisions[-2:]))
        line = "; ".join(parts) if parts else "Nothing noted yet"
        return line if len(line) <= 240 else line[:237] + "..."

    def to_dict(self) -> dict[str, Any]:
        return {
            "technologies": list(self._technologies),
            "topics": list(self._topics),
            "decisions": list(self._decisions),
            "said": list(self._said),
            "candidate_name": self.candidate_name,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConversationMemory:
        return cls(
            _technologies=list(data.get("technologies", [])),
            _topics=list(data.get("topics", [])),
            _decisions=list(data.get("decisions", [])),
            _said=list(data.get("said", [])),
            candidate_name=data.get("candidate_name"),
        )
