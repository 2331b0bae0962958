"""A2A expert agents that review the whiteboard (one per interviewing style), the client the
interviewer asks them through, and the launcher that runs them locally."""

from agents.experts.client import ExpertClient, ExpertUnavailable
from agents.experts.review import Review, ReviewRequest

__all__ = ["ExpertClient", "ExpertUnavailable", "Review", "ReviewRequest"]
