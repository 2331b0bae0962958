"""Scripted answer material for the offline personas: what a candidate says about a subject,
at three depths (`strong`: numbers and trade-offs; `plain`: the right idea, no detail;
`vague`: unsure and unspecific). A persona picks the family whose pattern matches the
interviewer's last line (or a topic of the question) and speaks that family's line.

Written for this project; the patterns follow the words our question bank's topics and the
interviewer's phrase banks use, and an LLM persona (evals/llm_persona.py) can stand in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    name: str
    pattern: re.Pattern[str]
    strong: str
    plain: str
    vague: str


def _f(name: str, pattern: str, strong: str, plain: str, vague: str) -> Family:
    return Family(name, re.compile(pattern, re.IGNORECASE), strong, plain, vague)


SYSTEM_DESIGN: tuple[Family, ...] = (
    _f("requirements", r"requirement|users?\b.*(must|able)|what scale|clarif|where would you "
       r"like to start|approach it|scope",
       "Let me pin the requirements first. I'd assume 100 million daily users, reads outnumber "
       "writes 100 to 1, p99 latency under 100 milliseconds, and data that survives losing a "
       "zone. Availability matters more than strict consistency for most reads.",
       "I'd start with the requirements: who the users are, the main features, and roughly "
       "how much traffic we expect.",
       "I guess users want it to work and be fast. I'm not sure what else."),
    _f("cache", r"cach|hot key|invalidat|edge",
       "I'd put a Redis cache in front of the store with a 24 hour TTL. At a 95 percent hit "
       "rate the database sees only 5 percent of reads. The trade-off is staleness, so a write "
       "deletes the key, and hot keys get a short local cache to avoid a stampede.",
       "I'd add a cache in front of the database so most reads never reach it, and invalidate "
       "on writes.",
       "Maybe a cache could help? I'm not really sure how to keep it correct."),
    _f("storage", r"stor|database|schema|data model|key.value|table|metadata|catalog",
       "For storage I'd use Cassandra keyed by the id, because it's a simple key-value lookup at "
       "about 10 thousand writes per second. We give up joins and ad hoc queries, which is fine "
       "here; metadata that needs transactions stays in PostgreSQL.",
       "I'd store the main records in a key-value store and keep the metadata in a relational "
       "database.",
       "We'd need a database somewhere, probably just one big one."),
    _f("sharding", r"shard|partition|hot partition|grows|hotspot",
       "I'd shard by a hash of the id into 256 partitions with consistent hashing, so adding a "
       "node moves only about one in N keys. A hot partition gets split or gets read replicas.",
       "I'd partition the data by id across several nodes so each one holds a part.",
       "Maybe we split the data somehow when it gets big."),
    _f("replication", r"replic|failover|fails?\b|failure|availab|down\b|region|lost",
       "Three replicas per shard across zones with quorum writes, so we survive a zone outage; "
       "failover takes under 30 seconds. The cost is a few milliseconds more write latency, "
       "which I'd accept.",
       "I'd replicate the data so a replica can take over when a node fails.",
       "If something fails we could restart it, I think."),
    _f("ordering", r"order|deliver|guarantee|duplicat|idempot|exactly|at.least",
       "I'd give each message a sequence number from the partition leader, deliver at least "
       "once, and make consumers idempotent by message id, so duplicates are dropped. Exactly "
       "once end to end isn't worth the latency.",
       "Messages get an id and a sequence number, and the receiver ignores duplicates.",
       "Hopefully messages arrive in order most of the time."),
    _f("fanout", r"fan.?out|feed|follow|celebrit|timeline|channel",
       "Fan-out on write for normal accounts into a Redis timeline of 800 entries; accounts "
       "with over a million followers are merged at read time instead. That trades a little "
       "read latency for not writing a million rows per post.",
       "I'd push new items to followers' timelines when they're written, except for very big "
       "accounts, which we pull at read time.",
       "We could send the posts to everybody, maybe."),
    _f("queue", r"queue|kafka|async|analytic|pipeline|stream|ingest|log\b|batch",
       "Events go onto Kafka partitioned by id, and a stream job aggregates them per minute "
       "into a columnar store. The user-facing path never waits on analytics, and a consumer "
       "that crashes resumes from its committed offset.",
       "I'd put the events on a message queue and process them asynchronously.",
       "We could log things and look at them later."),
    _f("ids", r"\bids?\b|code gen|collision|short code|generate|unique",
       "A Snowflake-style generator gives 64 bit ids without coordination; base62 encoded that's "
       "7 characters, about 3.5 trillion codes, so no collision check on the hot path.",
       "I'd generate unique ids with a counter or a hash and check for collisions.",
       "Random ids should be fine, collisions are probably rare."),
    _f("latency", r"latenc|hot path|fast|bottleneck|slow|playback|start time",
       "The hot path is one cache lookup: with a CDN and the cache, p99 stays near 20 "
       "milliseconds. The database would be the bottleneck at about 50 thousand QPS, and the "
       "cache absorbs that.",
       "The read path should be short: a cache hit and a response, so it stays fast.",
       "It should be fast enough if the servers are good."),
    _f("api", r"\bapi\b|endpoint|interface|request flow|components",
       "The API: POST to create, returning the id; GET by id answering in one lookup; and a "
       "paged GET for the owner's stats. Writes take a client request id so retries are "
       "idempotent. Requests flow through a load balancer to stateless servers.",
       "A create endpoint, a read endpoint, and a list endpoint for the owner, behind a load "
       "balancer.",
       "Some endpoints for create and get, I suppose."),
    _f("limits", r"rate limit|abus|expir|spam|token bucket|sliding window|limit",
       "A token bucket per API key, 100 requests a minute, kept in Redis with a Lua script so "
       "the check is atomic in under a millisecond. If Redis is down we fail open for a minute "
       "rather than block everyone.",
       "I'd rate limit per user with a token bucket and expire old data with a TTL.",
       "We could block bad users if we notice them."),
    _f("monitoring", r"monitor|dashboard|on.call|page you|measure|alert|metric",
       "Dashboards for p50 and p99 latency, error rate and queue lag, and a page when p99 stays "
       "over 200 milliseconds for five minutes or the error rate passes 1 percent.",
       "I'd monitor latency and error rates and alert when they go bad.",
       "We'd look at the logs if users complain."),
    _f("scale", r"scal|ten times|hundred times|traffic|load\b|grow",
       "At ten times the traffic the stateless tier scales out behind the load balancer, about "
       "one server per 2 thousand QPS; the store adds shards, and the cache grows to keep the "
       "hit rate above 90 percent.",
       "I'd scale horizontally: more servers behind the load balancer and more shards.",
       "Add more servers, I guess."),
    _f("presence", r"presence|online|connection|websocket|persistent|real.time|sync",
       "Each gateway holds about 50 thousand WebSocket connections; presence is a heartbeat "
       "every 30 seconds into a TTL key, and we only push presence to channels someone has "
       "open, which keeps the cost linear.",
       "Clients keep a WebSocket open to a gateway, and presence is a heartbeat with a timeout.",
       "The app could check now and then if people are online."),
    _f("ranking", r"rank|popular|fresh|personali|relevan",
       "Two stages: cheap candidate generation of about 500 items, then a model scoring 50 "
       "features, with the ranked page cached for 60 seconds. Freshness is a feature with a "
       "decay of a few hours.",
       "I'd rank by popularity and recency, and cache the ranked results.",
       "Show the newest ones first, maybe."),
    _f("pagination", r"paginat|history|cursor|page\b|scroll",
       "Cursor-based pagination on (parent id, item id), 50 items a page from a time-bucketed "
       "table, so deep pages cost the same as the first one.",
       "I'd paginate with a cursor instead of offsets.",
       "Load more when they scroll, somehow."),
    _f("simplify", r"simplif|first version|two weeks|expensive|cost|cut",
       "For a first version: one PostgreSQL primary with a replica and a cache handles about 5 "
       "thousand QPS, which is months of growth; we shard when we pass 70 percent of that. The "
       "most expensive part later is storage, so old data moves to cold storage after 90 days.",
       "I'd ship a simple version first with one database and a cache, and optimise later.",
       "Just build the simplest thing, I think."),
    _f("write", r"write\b|step by step|transaction|consisten|double|reserv|lock",
       "A write goes to the primary and, in the same transaction, to an outbox table; a relay "
       "publishes the outbox, so nothing is lost between the database and the queue. Seat or "
       "balance updates use a conditional update, which prevents double booking.",
       "The write goes to the primary first, then replicates; I'd use a transaction where two "
       "users could race.",
       "We save it to the database and hope it works."),
)

GENERIC_SD = Family(
    "generic", re.compile(r"$^"),
    "I'd weigh the options by the numbers: at roughly 10 thousand requests per second the "
    "simple design holds, and I'd change it only where the measurements say so. The main "
    "trade-off is latency against consistency.",
    "I'd keep that part simple and make sure it scales with the rest of the design.",
    "I'm not sure, I haven't really thought about that part.",
)

CODING: tuple[Family, ...] = (
    _f("complexity", r"complexit|big.?o|how .*perform|memory|space|cost",
       "It's O(n) time, because each element is handled a constant number of times, and O(n) "
       "extra space in the worst case. Sorting first would make it O(n log n), which is the "
       "trade-off if memory were tight.",
       "It should be linear time and linear space.",
       "I'm not sure about the complexity, maybe it's fine."),
    _f("testing", r"test|edge|empty|single element|trace|example|large input",
       "I'd test the empty input, a single element, all equal values, the smallest and largest "
       "values, and one input of 100 thousand elements to check the running time.",
       "I'd test an empty input, one element, and a normal case.",
       "I'd run it and see if it works."),
    _f("approach", r"approach|how would you|walk me through|solve|restate|inputs and outputs|"
       r"explain|think",
       "I'd start with brute force to be sure of the answer, which is quadratic, then improve "
       "it: one pass keeping just the state I need in a hash map or a stack, which gives O(n). "
       "Let me write that and check it on the examples.",
       "I'd go through the input once and keep what I've seen so far in a data structure.",
       "Maybe loop over everything and check each case?"),
    _f("code", r"code|structur|variable|loop|editor|unsure|write it",
       "I'll write a helper for the inner step so the main loop stays readable; the invariant "
       "is that everything before index i is already processed. I've submitted it.",
       "I'm writing it now, with one loop and a helper.",
       "I'm trying to write it but I'm a bit stuck."),
)

GENERIC_CODING = Family(
    "generic", re.compile(r"$^"),
    "The key invariant is that after each step the data structure holds exactly the "
    "unresolved elements, so the total work is linear.",
    "I think my approach handles that.",
    "I don't know.",
)

INTRO = {
    "strong": "Hi, I'm Alex. I've been a backend engineer for eight years, most recently "
              "leading a team that runs a payments API at 20 thousand requests per second on "
              "PostgreSQL and Kafka.",
    "plain": "Hi, I'm Sam. I'm a software engineer, mostly working on backend services.",
    "vague": "Hi. I do some programming, mostly small things.",
}

CLOSING_QUESTION = "What does a typical week look like for the team, and how do you review designs?"
NO_QUESTIONS = "No questions from me, thank you."
# "I'm done" is in the offline recogniser's language model and is the interviewer's cue to
# close; "let's wrap up" says the same to a person.
WRAP_UP = "I think I'm done. Let's wrap up."

OFF_TOPIC = (
    "Honestly, I've been thinking about my weekend. I went hiking and the weather was great.",
    "Did you watch the football game last night? It was a wild finish.",
    "I really like cooking pasta from scratch, it's relaxing after work.",
    "My cat learned to open the kitchen door, which is a whole new problem at home.",
)
DRIFT = (
    "That reminds me of a project at my last job where we migrated everything twice, long "
    "story, the manager changed and the plan changed with him.",
    "Anyway, where was I. There are so many ways to think about this, and I could go on for "
    "a while about the history of it.",
    "I also read a blog post about this once, I forget where, it had a lot of diagrams.",
)

_FAMILY_BANKS = {"system_design": (SYSTEM_DESIGN, GENERIC_SD), "coding": (CODING, GENERIC_CODING)}


def family_for(kind: str, line: str) -> Family | None:
    """The family the interviewer's line is about (the last matching sentence wins)."""
    families, _ = _FAMILY_BANKS[kind]
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", line) if s.strip()]
    for sentence in reversed(sentences):  # the question usually comes last
        for family in families:
            if family.pattern.search(sentence):
                return family
    return None


def generic(kind: str) -> Family:
    return _FAMILY_BANKS[kind][1]
