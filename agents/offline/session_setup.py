"""What a Live session is built from its setup frame: the brain (new, or restored from a
resumption handle, with this connection's tools) and the recogniser the server has."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agents.offline import protocol as p
from agents.offline.asr import Transcriber
from agents.offline.brain import Brain
from agents.offline.brief import parse_brief
from agents.offline.context import SessionContext
from agents.offline.whisper_stream import WhisperTranscriber


def brain_for(setup: p.Setup, restored: dict[str, Any] | None, seed: int) -> Brain:
    """The interviewer's brain: the restored one (the tools may differ on this connection),
    else a new one from the brief in the system instruction."""
    functions = {f.name: f for f in setup.functions}
    agents = (
        functions["transfer_to_agent"].enums.get("agent_name", ())
        if "transfer_to_agent" in functions
        else ()
    )
    if restored is None:
        return Brain.create(
            parse_brief(setup.instruction), seed=seed, tool_names=functions, agent_names=agents
        )
    brain = Brain.from_dict(restored["brain"])
    brain.tool_names = tuple(functions)
    brain.agent_names = tuple(agents)
    return brain


def transcriber_for(
    ctx: SessionContext, brain: Brain, on_partial: Callable[[str], None]
) -> Transcriber | WhisperTranscriber | None:
    """Whisper when its model is loaded, else pocketsphinx, else none (no recognition)."""
    if ctx.whisper is not None and ctx.pool is not None:
        return WhisperTranscriber(ctx.whisper, ctx.pool, on_partial=on_partial,
                                  vocabulary=brain.vocabulary)
    if ctx.asr is not None:
        remote = ctx.asr_pool.lease() if ctx.asr_pool is not None else None
        return Transcriber(ctx.asr, ctx.executor, on_partial=on_partial, remote=remote)
    return None
