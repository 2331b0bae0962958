"""The experts: one per interviewing style. Google and Meta have their own; every other
company gets the general reviewer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExpertStyle:
    company: str
    name: str
    focus: str  # what this reviewer cares about, in their voice (also the Gemini prompt)
    lead_risk: str  # the risk this style raises first when it applies


STYLES = {
    "google": ExpertStyle(
        "google", "Google-style system design reviewer",
        "scale to billions of requests, clear SLOs, consistency and replication, graceful "
        "degradation under partial failure",
        "replication",
    ),
    "meta": ExpertStyle(
        "meta", "Meta-style system design reviewer",
        "product-driven trade-offs, fan-out and feed-style read paths, fast iteration, "
        "caching hot data close to users",
        "cache",
    ),
    "general": ExpertStyle(
        "general", "System design reviewer",
        "a sound end-to-end request path, no single points of failure, sensible storage and "
        "caching choices",
        "replication",
    ),
}


def style_for(company: str) -> ExpertStyle:
    return STYLES.get(company, STYLES["general"])
