"""Feedback generation as a database-backed job: queued when an interview ends, run by a
worker off the live path, resumed after a restart (server/feedback/jobs.py)."""
