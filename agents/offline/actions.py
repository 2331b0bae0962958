"""What the offline interviewer's brain asks its session to do: say a line, or call a tool."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Say:
    text: str


@dataclass(frozen=True)
class CallTool:
    id: str
    name: str
    args: dict[str, Any]


Action = Say | CallTool
