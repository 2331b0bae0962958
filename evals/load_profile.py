"""Summarise a py-spy profile of the server (collapsed stacks, `--profile prof.txt`).

    python -m evals.load_profile prof.txt [--top 25]

Prints where the samples went: by library (inclusive: a sample counts for every library on its
stack, so the shares do not add up to 100 %), and the functions with the most self time. py-spy's
`--gil` (as `evals.load` runs it) samples only the thread holding the GIL, so 100 % is the time
the interpreter was busy, not wall time.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

# Where a frame's file lives → the label it is counted under, first match wins.
AREAS: tuple[tuple[str, str], ...] = (
    ("aiortc/rtcsctptransport", "aiortc SCTP (data channel)"),
    ("aiortc/rtcdtlstransport", "aiortc DTLS/SRTP transport"),
    ("aiortc/rtcrtpreceiver", "aiortc RTP receiver"),
    ("aiortc/jitterbuffer", "aiortc jitter buffer"),
    ("aiortc/rate", "aiortc bandwidth estimation"),
    ("aiortc/rtcrtpsender", "aiortc RTP sender"),
    ("aiortc/rtp", "aiortc RTP/RTCP parsing"),
    ("aiortc/codecs", "aiortc codecs"),
    ("aiortc/", "aiortc other"),
    ("aioice/", "aioice (ICE, UDP)"),
    ("pylibsrtp/", "pylibsrtp"),
    ("asyncio/", "asyncio"),
    ("uvloop/", "uvloop"),
    ("media/", "media (ours)"),
    ("server/", "server (ours)"),
    ("agents/", "agents (ours)"),
    ("prometheus_client/", "prometheus_client"),
)
_FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


@dataclass
class Profile:
    samples: int = 0
    by_area: Counter[str] = field(default_factory=Counter)  # inclusive
    self_time: Counter[str] = field(default_factory=Counter)
    self_area: Counter[str] = field(default_factory=Counter)  # where the leaf frame is


def area_of(path: str) -> str | None:
    for needle, label in AREAS:
        if needle in path:
            return label
    return None


def parse(lines: Iterable[str]) -> Profile:
    """Collapsed stacks: `frame;frame;... count`, each frame `func (file:line)`."""
    prof = Profile()
    for raw in lines:
        stack, _, count_s = raw.rstrip("\n").rpartition(" ")
        if not stack or not count_s.isdigit():
            continue
        count = int(count_s)
        prof.samples += count
        frames = [_FRAME.match(f) for f in stack.split(";")]
        areas = {area_of(m["file"]) for m in frames if m}
        for area in areas - {None}:
            prof.by_area[area] += count  # type: ignore[index]
        leaf = frames[-1]
        if leaf:
            prof.self_time[f"{leaf['func']} ({_short(leaf['file'])})"] += count
            prof.self_area[area_of(leaf["file"]) or "other (C, stdlib, libraries)"] += count
    return prof


def _short(path: str) -> str:
    for marker in ("site-packages/", "python3.11/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def report(prof: Profile, top: int) -> str:
    total = max(1, prof.samples)
    out = [f"{prof.samples} samples (GIL held)", "", "| library (inclusive) | share |", "|---|---|"]
    out += [f"| {a} | {n / total:.0%} |" for a, n in prof.by_area.most_common()]
    out += ["", "| self time in | share |", "|---|---|"]
    out += [f"| {a} | {n / total:.0%} |" for a, n in prof.self_area.most_common()]
    out += ["", f"| top {top} functions (self) | share |", "|---|---|"]
    out += [f"| {f} | {n / total:.1%} |" for f, n in prof.self_time.most_common(top)]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.load_profile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("profile", type=Path, help="py-spy --format raw output")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    with args.profile.open() as f:
        print(report(parse(f), args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
