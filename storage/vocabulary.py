"""The words an interview is described in: its types, levels, companies, phases and statuses.

Defined here once, as plain constants, and derived everywhere else: the API's validation
(server/http/schemas.py), the status machine (storage/lifecycle.py), the interviewer's phases
and instructions (agents/), the offline model's brief parser (agents/offline/). This module
imports nothing, so `agents` may import it without reaching the rest of `storage` (which it
only sees through the `AgentIO` interface). tests/storage/test_vocabulary.py fails when a second
list of these words appears in the code.
"""

INTERVIEW_TYPES: tuple[str, ...] = ("system_design", "coding")

LEVELS: tuple[str, ...] = ("junior", "mid", "senior", "staff")

COMPANIES: tuple[str, ...] = ("free_practice", "google", "meta", "amazon", "netflix")
# Interviews in the style of a named company are a paid feature; free practice is not.
PREMIUM_COMPANIES: frozenset[str] = frozenset(COMPANIES) - {"free_practice"}
COMPANY_NAMES: dict[str, str] = {
    "free_practice": "Free Practice",
    "google": "Google",
    "meta": "Meta",
    "amazon": "Amazon",
    "netflix": "Netflix",
}

# In the order an interview moves through them (forward only, skipping allowed).
PHASES: tuple[str, ...] = ("routing", "intro", "interview", "closing", "done")

STATUSES: tuple[str, ...] = ("scheduled", "in_progress", "completed", "abandoned", "failed")
TERMINAL_STATUSES: frozenset[str] = frozenset({"completed", "abandoned", "failed"})

# Languages of the coding room (the sandbox runs these) and why a code snapshot was taken.
CODE_LANGUAGES: tuple[str, ...] = ("python", "javascript", "java")
SNAPSHOT_REASONS: tuple[str, ...] = ("edit", "run", "submit", "end")
