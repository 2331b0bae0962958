"""The offline expert: a critic that reads the scene graph of the whiteboard and says
something specific about this drawing: single points of failure, a database without
replicas, a cache/queue/CDN the question expects but the board lacks, arrows to nowhere,
boxes nothing talks to. Deterministic: the same board gets the same review.
"""

from __future__ import annotations

from agents.components import NAMES, kind_of, needed_kinds, spoken_count
from agents.experts.review import Review, ReviewRequest
from agents.experts.styles import style_for
from agents.scene import read_scene


def critique(request: ReviewRequest) -> Review:
    style = style_for(request.company)
    scene = read_scene(request.elements)
    kinds = {label: kind_of(label) for label in scene.boxes}
    strengths: list[str] = []
    risks: list[tuple[str, str, str]] = []  # (tag, risk, follow-up question)

    if not scene.boxes:
        return Review(
            expert=style.name, image_sha256=request.png_sha256,
            summary="The board has no labelled components yet, so there is nothing to review.",
            risks=["No labelled components on the board."],
            follow_up_questions=["Could you sketch the main components and label them?"],
        )
    if scene.arrows:
        strengths.append(f"The request path is drawn: {' → '.join(_path(scene.arrows))}.")
    present = {k for k in kinds.values() if k}
    for kind in ("load_balancer", "cache", "queue", "cdn"):
        if kind in present:
            label = next(b for b, k in kinds.items() if k == kind)
            strengths.append(f"{label} is on the board as a {NAMES[kind]}.")

    dbs = [b for b, k in kinds.items() if k == "database"]
    for db in dbs:
        if scene.boxes[db] == 1:
            feeders = [a for a, b in scene.arrows if b == db]
            many = [f for f in feeders if scene.boxes[f] > 1]
            behind = (f" behind {spoken_count(scene.boxes[many[0]])} {many[0]} instances"
                      if many else "")
            risks.append(("replication",
                          f"{db} is a single database with no replica{behind}: a single point "
                          "of failure and a write bottleneck.",
                          f"What happens to the system when {db} fails, and how is it "
                          "replicated?"))
    for label, n in scene.boxes.items():
        if n == 1 and kinds[label] in ("load_balancer", "service") and any(
                b == label for _, b in scene.arrows):
            risks.append(("spof", f"{label} is drawn as one instance: it is a single point "
                          "of failure.", f"How does {label} scale out and fail over?"))
    for kind, topic in needed_kinds(request.expected_topics).items():
        if kind not in present:
            risks.append((kind, f"No {NAMES[kind]} on the board, though the question expects "
                          f"{topic.strip().rstrip('.')}.",
                          f"Where would a {NAMES[kind]} fit, and what would it hold?"))
    for box in scene.unconnected() if scene.arrows else []:
        risks.append(("alone", f"{box} is not connected to anything.",
                      f"Which component talks to {box}, and when?"))
    if scene.loose_arrows:
        risks.append(("loose", f"{scene.loose_arrows} arrow(s) end on nothing.",
                      "Where do the unconnected arrows lead?"))

    risks.sort(key=lambda r: r[0] != style.lead_risk)  # this style's concern first
    summary = (f"{style.name}: {len(scene.boxes)} components, {len(scene.arrows)} connections. "
               + (risks[0][1] if risks else "No obvious structural gaps; probe the numbers."))
    return Review(
        expert=style.name, summary=summary, image_sha256=request.png_sha256,
        strengths=strengths[:5], risks=[r[1] for r in risks][:5],
        follow_up_questions=[r[2] for r in risks][:5]
        or ["What are the capacity numbers behind this design?"],
    )


def _path(arrows: list[tuple[str, str]]) -> list[str]:
    path = [arrows[0][0], arrows[0][1]]
    for a, b in arrows[1:]:
        if a == path[-1] and b not in path:
            path.append(b)
    return path
