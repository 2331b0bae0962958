"""What kind of component a whiteboard box is, from its label, and which kinds a question's
expected topics call for. Shared by the offline interviewer's board follow-ups and the
offline expert critic, so both read a drawing the same way."""

from __future__ import annotations

import re
from collections.abc import Iterable

KINDS: dict[str, re.Pattern[str]] = {
    "database": re.compile(
        r"\b(db|database|postgres\w*|mysql|sql|mongo\w*|dynamo\w*|cassandra|spanner|"
        r"bigtable|aurora|store|storage|table)\b", re.I),
    "cache": re.compile(r"\b(cache|redis|memcache\w*|varnish)\b", re.I),
    "queue": re.compile(r"\b(queue|kafka|sqs|pub ?sub|rabbit\w*|kinesis|stream|broker|"
                        r"event bus)\b", re.I),
    "cdn": re.compile(r"\b(cdn|edge|cloudfront|akamai|fastly)\b", re.I),
    "load_balancer": re.compile(r"\b(lb|load ?balancer|gateway|proxy|nginx|haproxy|envoy)\b",
                                re.I),
    "service": re.compile(r"\b(api|server|service|backend|worker|app server)s?\b", re.I),
    "client": re.compile(r"\b(client|user|browser|mobile|app|web)\b", re.I),
}
NAMES = {"database": "database", "cache": "cache", "queue": "queue", "cdn": "CDN",
         "load_balancer": "load balancer", "client": "client", "service": "service"}

# A topic mentioning one of these words expects that kind of box on the board.
_TOPIC_NEEDS: dict[str, re.Pattern[str]] = {
    "cache": re.compile(r"cach|hot (keys|links)|read-heavy", re.I),
    "queue": re.compile(r"queue|async|pipeline|fan-?out|stream|event|notification", re.I),
    "cdn": re.compile(r"\bcdn\b|edge|static|media|video|image", re.I),
    "database": re.compile(r"storage|database|schema|data model|persist", re.I),
    "load_balancer": re.compile(r"load balanc|scal|traffic", re.I),
}


def kind_of(label: str) -> str | None:
    for kind, pattern in KINDS.items():
        if pattern.search(label):
            return kind
    return None


def needed_kinds(topics: Iterable[str]) -> dict[str, str]:
    """kind → the first expected topic that calls for it."""
    out: dict[str, str] = {}
    for topic in topics:
        for kind, pattern in _TOPIC_NEEDS.items():
            if kind not in out and pattern.search(topic):
                out[kind] = topic
    return out


def spoken_count(n: int) -> str:
    return ("zero one two three four five six seven eight nine ten".split()[n]
            if 0 <= n <= 10 else str(n))
