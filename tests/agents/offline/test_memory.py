"""agents/memory.py: what the candidate mentioned, from typed and recognised text."""

from __future__ import annotations

from agents.memory import ConversationMemory, extract


def test_observe_returns_new_items_once_in_order() -> None:
    memory = ConversationMemory()
    new = memory.observe(
        "Hi, my name is Alex. I would use Redis as a cache in front of MySQL, "
        "and we could shard the database by user id."
    )
    assert new[:2] == ["Redis", "MySQL"]
    assert "caching" in new and "sharding" in new
    assert "use redis as a cache in front of mysql" in new
    assert "shard the database by user id" in new
    assert memory.candidate_name == "Alex"
    again = memory.observe("Redis again, with a cache")
    assert "Redis" not in again and "caching" not in again
    assert memory.technologies == ["Redis", "MySQL"]


def test_asr_style_text_without_punctuation() -> None:
    found = extract("i would put a load balancer in front and use kafka for the click analytics")
    assert found.technologies == ("load balancer", "Kafka")
    assert {"load balancing", "asynchronous processing", "analytics"} <= set(found.topics)
    assert found.decisions == ("put a load balancer in front",)


def test_longest_alias_wins_and_hash_map_is_not_hashing() -> None:
    assert extract("we can use my sql or no sql").technologies == ("MySQL", "NoSQL")
    found = extract("I'm going to use a hash map")
    assert "hash map" in found.topics and "hashing and ID generation" not in found.topics
    assert found.name is None


def test_soft_name_needs_a_known_or_capitalised_name() -> None:
    assert extract("hi i'm priya").name == "Priya"
    assert extract("I'm Zephyrine, a backend engineer").name == "Zephyrine"
    assert extract("i'm ready to start").name is None


def test_covers_free_text_topics() -> None:
    memory = ConversationMemory()
    memory.observe("we store urls in cassandra and count clicks")
    assert memory.covers("storage choice")
    assert memory.covers("analytics")
    assert not memory.covers("redirect latency")
    assert not memory.covers("hashing and ID generation")


def test_round_trip_and_summary() -> None:
    memory = ConversationMemory()
    memory.observe("My name is Sam. I'd use Kafka and PostgreSQL.")
    clone = ConversationMemory.from_dict(memory.to_dict())
    assert clone.to_dict() == memory.to_dict()
    summary = clone.summary()
    assert summary.startswith("Candidate Sam; mentioned Kafka, PostgreSQL")
    assert "\n" not in summary and len(summary) <= 240
    assert ConversationMemory().summary() == "Nothing noted yet"
