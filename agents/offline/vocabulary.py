"""The speech recogniser's domain: interview sentences for a small language model, and
pronunciations for the technical words the stock English dictionary lacks.

A small trigram model over what candidates say in mock interviews makes pocketsphinx far
more accurate (and ~5x faster) than its general English model, above all on synthetic
speech; the price is that words outside this vocabulary come out as the nearest in-domain
words. `build_language_model()` writes the ARPA model and a matching dictionary once.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from pathlib import Path

from agents.memory import KNOWN_NAMES, TECHNOLOGIES, TOPICS

log = logging.getLogger(__name__)

# CMU phone set (ARPAbet, no stress), for words cmudict does not have or says oddly.
PRONUNCIATIONS: dict[str, tuple[str, ...]] = {
    "redis": ("R EH D IH S", "R IY D IH S"),
    "memcached": ("M EH M K AE SH T", "M EH M K AE SH D"),
    "memcache": ("M EH M K AE SH",),
    "postgres": ("P OW S T G R EH S", "P OW S T G R AH S"),
    "postgresql": ("P OW S T G R EH S K Y UW EH L",),
    "mysql": ("M AY EH S K Y UW EH L", "M AY S IY K W AH L"),
    "nosql": ("N OW EH S K Y UW EH L", "N OW S IY K W AH L"),
    "dynamodb": ("D AY N AH M OW D IY B IY",),
    "dynamo": ("D AY N AH M OW",),
    "mongodb": ("M AA NG G OW D IY B IY",),
    "mongo": ("M AA NG G OW",),
    "bigtable": ("B IH G T EY B AH L",),
    "kafka": ("K AA F K AH", "K AE F K AH"),
    "rabbitmq": ("R AE B AH T EH M K Y UW",),
    "sqs": ("EH S K Y UW EH S",),
    "s3": ("EH S TH R IY",),
    "cdn": ("S IY D IY EH N",),
    "cdns": ("S IY D IY EH N Z",),
    "api": ("EY P IY AY",),
    "apis": ("EY P IY AY Z",),
    "nginx": ("EH N JH AH N EH K S",),
    "kubernetes": ("K UW B ER N EH T IY Z", "K UW B ER N EH T IH S"),
    "elasticsearch": ("IH L AE S T IH K S ER CH",),
    "zookeeper": ("Z UW K IY P ER",),
    "grpc": ("JH IY AA R P IY S IY",),
    "graphql": ("G R AE F K Y UW EH L",),
    "websocket": ("W EH B S AA K AH T",),
    "websockets": ("W EH B S AA K AH T S",),
    "microservice": ("M AY K R OW S ER V AH S",),
    "microservices": ("M AY K R OW S ER V AH S AH Z", "M AY K R OW S ER V IH S IH Z"),
    "sharding": ("SH AA R D IH NG",),
    "sharded": ("SH AA R D IH D",),
    "shards": ("SH AA R D Z",),
    "geohash": ("JH IY OW HH AE SH",),
    "quadtree": ("K W AA D T R IY",),
    "idempotent": ("AY D EH M P OW T AH N T", "AY D AH M P OW T AH N T"),
    "ttl": ("T IY T IY EH L",),
    "lru": ("EH L AA R Y UW",),
    "qps": ("K Y UW P IY EH S",),
    "tcp": ("T IY S IY P IY",),
    "udp": ("Y UW D IY P IY",),
    "json": ("JH EY S AH N",),
    "https": ("EY CH T IY T IY P IY EH S",),
    "frontend": ("F R AH N T EH N D",),
    "bitly": ("B IH T L IY",),
    "shortener": ("SH AO R T AH N ER",),
    "base62": ("B EY S S IH K S T IY T UW",),
    "hashmap": ("HH AE SH M AE P",),
    "golang": ("G OW L AE NG",),
    "javascript": ("JH AA V AH S K R IH P T",),
    "typescript": ("T AY P S K R IH P T",),
    "bfs": ("B IY EH F EH S",),
    "dfs": ("D IY EH F EH S",),
    "bst": ("B IY EH S T IY",),
    "leetcode": ("L IY T K OW D",),
    "observability": ("AH B Z ER V AH B IH L IH T IY",),
    "memoization": ("M EH M OW AY Z EY SH AH N", "M EH M AH W AH Z EY SH AH N"),
    "memoize": ("M EH M OW AY Z",),
    "failover": ("F EY L OW V ER",),
    "redirects": ("R IY D ER EH K T S", "R IH D ER EH K T S"),
    "recursion": ("R IY K ER ZH AH N",),
    "recursively": ("R IY K ER S IH V L IY",),
    "iterate": ("IH T ER EY T",),
    "async": ("EY S IH NG K",),
    "asynchronously": ("EY S IH NG K R AH N AH S L IY",),
    "balancers": ("B AE L AH N S ER Z",),
    "limiter": ("L IH M IH T ER",),
    "tls": ("T IY EH L EH S",),
    "db": ("D IY B IY",),
    "dp": ("D IY P IY",),
    "mq": ("EH M K Y UW",),
    "priya": ("P R IY Y AH",),
    "ravi": ("R AA V IY",),
    "arjun": ("AA R JH UW N",),
    "mei": ("M EY",),
    "wei": ("W EY",),
    "fatima": ("F AA T IY M AH",),
}

# What candidates say. Lowercase, no punctuation; apostrophes as in cmudict.
SENTENCES: tuple[str, ...] = (
    # joining and introductions
    "hi", "hello", "hey there", "hi there", "hello there", "good morning", "good afternoon",
    "yes", "yeah", "yes please", "sure", "okay", "ok", "right", "got it", "sounds good",
    "that sounds good", "makes sense", "let me think", "let me think about that",
    "thank you", "thanks", "thanks a lot", "great thank you", "no", "not really",
    "hi my name is alex", "hello my name is priya", "my name is sam",
    "hi i'm alex and i'm a backend engineer", "hello i'm maria",
    "i'm a software engineer", "i am a senior backend engineer at a startup",
    "i have five years of experience", "i have ten years of experience in backend systems",
    "i work on distributed systems", "i have been building web services for three years",
    "i work at a payments company", "i mostly work with python and java",
    "i'm a frontend engineer moving into backend", "i lead a small team of engineers",
    "before that i worked on mobile apps", "i studied computer science",
    "i enjoy building scalable systems", "i'm excited to be here",
    "i am ready", "i'm ready to start", "let's get started", "let's start",
    # system design
    "first let me clarify the requirements",
    "let me start with the functional requirements",
    "let me start with the requirements",
    "the main requirement is to shorten a long url and redirect users",
    "we need to handle one hundred million redirects a day",
    "that is about one thousand two hundred requests per second",
    "reads are much more frequent than writes",
    "the system is read heavy",
    "i would use a load balancer in front of the web servers",
    "i would put a load balancer in front of the application servers",
    "the load balancer distributes requests across the servers",
    "i would put a redis cache in front of the database",
    "i would use redis to cache the hot urls",
    "we can cache the most popular urls in memory",
    "the cache reduces latency for redirects",
    "on a cache miss we read from the database and update the cache",
    "we can set a ttl on the cache entries",
    "we can use lru eviction for the cache",
    "we can invalidate the cache when the url changes",
    "i would store the mapping in a key value store",
    "i would use a nosql database like cassandra or dynamodb",
    "i would use postgres for the user data",
    "i would use a relational database like mysql",
    "the database stores the short code and the long url",
    "we can shard the database by the short code",
    "we can shard the database by user id",
    "we can partition the data with consistent hashing",
    "we need replication for high availability",
    "each shard has a primary and two replicas",
    "the replicas handle the read traffic",
    "i would generate the short code with a hash of the long url",
    "i would use base62 encoding of a unique id",
    "we can use a counter to generate unique ids",
    "we need to handle hash collisions",
    "the short code can be seven characters long",
    "i would use kafka as a message queue",
    "we can send click events to kafka for analytics",
    "the analytics pipeline counts clicks asynchronously",
    "a worker reads from the queue and writes to the database",
    "we can process the events in batches",
    "the api gateway routes requests to the microservices",
    "each microservice owns its own database",
    "the api has an endpoint to create a short url",
    "the redirect returns a three oh one or three oh two",
    "the cdn serves static content close to the users",
    "we can put the redirects behind a cdn",
    "latency should be under one hundred milliseconds",
    "throughput is the number of requests per second",
    "we need rate limiting to prevent abuse",
    "we can use a rate limiter per user",
    "we should monitor latency and error rates",
    "we need logging and alerts",
    "if a server fails the load balancer routes around it",
    "we can fail over to a replica",
    "eventual consistency is fine for analytics",
    "we need strong consistency for the mapping",
    "we can scale horizontally by adding more servers",
    "the bottleneck is the database",
    "the trade off is between consistency and availability",
    "i would use websockets for real time updates",
    "we can use elasticsearch for search",
    "we can store the files in s3",
    "we can use a bloom filter to check if a code exists",
    "i would run the services on kubernetes",
    "we can use grpc between the services",
    "the data model has a table for urls and a table for users",
    "we need an index on the short code",
    "that's my high level design",
    "let me draw the high level design",
    "let me go deeper into the database",
    # coding
    "i would use a hash map to store the counts",
    "we can use two pointers",
    "i would sort the array first",
    "we can use binary search",
    "the time complexity is o of n",
    "the time complexity is o of n log n",
    "the space complexity is o of one",
    "the space complexity is linear",
    "i would use a stack",
    "i would use a queue for breadth first search",
    "we can use depth first search with recursion",
    "i would use dynamic programming with memoization",
    "we can use a heap to keep the top k elements",
    "we can use a sliding window",
    "the edge cases are an empty array and duplicates",
    "i would write unit tests for the edge cases",
    "let me write the code in python",
    "i iterate over the array and check the hash map",
    "if the key is in the map we return the index",
    "the base case is when the node is null",
    "we traverse the tree recursively",
    # wrapping up
    "that's all", "that is all", "i'm done", "i am done", "no more", "nothing more",
    "that's everything", "i think that covers it", "i think i'm done",
    "no questions", "no questions thank you", "i don't have any questions",
    "what does the team work on", "what is the team working on",
    "how do you measure success in this role", "what does a typical day look like",
    "thank you for your time", "thanks for having me", "goodbye", "bye", "see you",
)

_TEMPLATE_TECH = (
    "redis", "memcached", "postgres", "mysql", "cassandra", "dynamodb", "mongodb",
    "kafka", "rabbitmq", "sqs", "s3", "a cdn", "a load balancer", "nginx", "kubernetes",
    "elasticsearch", "zookeeper", "grpc", "graphql", "websockets", "a message queue",
    "a cache", "a database", "a hash map", "microservices", "an api gateway", "bigtable",
    "spanner", "docker", "spark",
)
_TEMPLATE_PURPOSE = (
    "for caching", "for storage", "for the queue", "for analytics", "to reduce latency",
    "to scale reads", "for high availability", "for the hot data", "for search",
    "for the events",
)


def corpus() -> list[str]:
    """Every training sentence: the fixed list, templates, and the vocabulary words."""
    lines = list(SENTENCES)
    for tech, purpose in itertools.product(_TEMPLATE_TECH, _TEMPLATE_PURPOSE):
        lines.append(f"i would use {tech} {purpose}")
    for tech in _TEMPLATE_TECH:
        lines.append(f"we can use {tech}")
        lines.append(f"i would add {tech}")
    for name in sorted(KNOWN_NAMES):
        lines.append(f"my name is {name}")
        lines.append(f"hi i'm {name}")
    for forms in (*TECHNOLOGIES.values(), *TOPICS.values()):
        lines.extend(f for f in forms if all(ch.isalnum() or ch in " '" for ch in f))
    return lines


def _stock_dictionary() -> Path:
    from pocketsphinx import get_model_path

    return Path(get_model_path("en-us/cmudict-en-us.dict"))


def build_language_model(directory: Path) -> tuple[Path, Path]:
    """Write (once per vocabulary version) the ARPA model and its dictionary; return paths."""
    from pocketsphinx.lm import ArpaBoLM

    lines = corpus()
    digest = hashlib.sha1("\n".join(lines).encode() + repr(PRONUNCIATIONS).encode())
    tag = digest.hexdigest()[:12]
    lm_path = directory / f"interview-{tag}.arpa"
    dict_path = directory / f"interview-{tag}.dict"
    if lm_path.exists() and dict_path.exists():
        return lm_path, dict_path
    directory.mkdir(parents=True, exist_ok=True)

    words = {w for line in lines for w in line.split()}
    entries: dict[str, list[str]] = {}
    with _stock_dictionary().open(encoding="utf-8") as f:
        for row in f:
            head, _, phones = row.partition(" ")
            base = head.split("(")[0]
            if base in words and base not in PRONUNCIATIONS:
                entries.setdefault(base, []).append(phones.split("#")[0].strip())
    for word, variants in PRONUNCIATIONS.items():
        if word in words:
            entries[word] = list(variants)
    missing = sorted(words - set(entries))
    if missing:
        log.debug("ASR vocabulary: no pronunciation for %s; dropped", missing)
        lines = [line for line in lines if not set(line.split()) & set(missing)]

    lm = ArpaBoLM(text="\n".join(lines) + "\n", add_start=True, discount_mass=0.4)
    lm.compute()
    tmp_lm = lm_path.with_name(lm_path.name + ".tmp")
    lm.write_file(str(tmp_lm))
    tmp_dict = dict_path.with_name(dict_path.name + ".tmp")
    with tmp_dict.open("w", encoding="utf-8") as f:
        for word in sorted(entries):
            for i, phones in enumerate(entries[word]):
                f.write(f"{word if i == 0 else f'{word}({i + 1})'} {phones}\n")
    tmp_lm.replace(lm_path)
    tmp_dict.replace(dict_path)
    return lm_path, dict_path
