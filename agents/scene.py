"""What is on the whiteboard, read from Excalidraw elements, and a short text description of it
for the interviewer ("Client → Load balancer → API ×3 → Postgres; Redis not connected").

Excalidraw stores a shape's label as a separate text element whose `containerId` is the
shape; an arrow's ends are `startBinding.elementId` / `endBinding.elementId`. Shapes with the
same label are one box with a count (three "API" rectangles are "API ×3").

The description has a fixed, parseable shape (`parse_description` reads it back): the offline
interviewer gets it through the same Live protocol as Gemini, as text, and must find the
boxes in it. Labels are cleaned of the separators the format uses.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

SHAPES = ("rectangle", "ellipse", "diamond", "frame", "image")
CONNECTORS = ("arrow", "line")
MAX_LABEL_CHARS = 40
MAX_NOTES = 5
MAX_BOXES = 30
MAX_ARROWS = 30
PREFIX = "[Whiteboard now: "
SUFFIX = (" Use the drawing when it helps the conversation; do not read it back or comment "
          "on every change.]")
_UNSAFE = re.compile(r"[;.\[\]→×\"\n\r\t]+")


@dataclass
class Scene:
    boxes: Counter[str] = field(default_factory=Counter)  # label → how many shapes
    arrows: list[tuple[str, str]] = field(default_factory=list)  # (from label, to label)
    loose_arrows: int = 0  # an end bound to nothing
    unlabelled: int = 0
    notes: list[str] = field(default_factory=list)  # free text on the board

    @property
    def empty(self) -> bool:
        return not (self.boxes or self.arrows or self.loose_arrows or self.notes
                    or self.unlabelled)

    def unconnected(self) -> list[str]:
        linked = {a for a, _ in self.arrows} | {b for _, b in self.arrows}
        return [b for b in self.boxes if b not in linked]


def clean(text: str) -> str:
    return " ".join(_UNSAFE.sub(" ", text).split())[:MAX_LABEL_CHARS].strip()


def read_scene(elements: list[dict[str, Any]]) -> Scene:
    live = [e for e in elements if isinstance(e, dict) and not e.get("isDeleted")]
    by_id = {e.get("id"): e for e in live}
    labels: dict[str, str] = {}
    scene = Scene()
    for e in live:
        if e.get("type") != "text":
            continue
        text = clean(str(e.get("text") or e.get("originalText") or ""))
        if not text:
            continue
        container = e.get("containerId")
        if container and container in by_id:
            labels[container] = text
        elif len(scene.notes) < MAX_NOTES:
            scene.notes.append(text)
    shape_ids = [e.get("id") for e in live if e.get("type") in SHAPES]
    for sid in shape_ids:
        if sid in labels:
            scene.boxes[labels[sid]] += 1
        else:
            scene.unlabelled += 1
    for e in live:
        if e.get("type") not in CONNECTORS:
            continue
        ends = [(e.get(k) or {}).get("elementId") for k in ("startBinding", "endBinding")]
        named = [labels.get(x) if x in by_id else None for x in ends]
        if e.get("type") == "line" and not any(ends):
            continue  # a plain line is decoration
        if named[0] and named[1]:
            if (named[0], named[1]) not in scene.arrows:
                scene.arrows.append((named[0], named[1]))
        elif not all(ends):
            scene.loose_arrows += 1
    return scene


def _box(label: str, count: int) -> str:
    return f"{label} ×{count}" if count > 1 else label


def describe(scene: Scene) -> str:
    """One line for the model; "" for an empty board."""
    if scene.empty:
        return ""
    parts = []
    boxes = [_box(label, n) for label, n in list(scene.boxes.items())[:MAX_BOXES]]
    parts.append("Boxes: " + ("; ".join(boxes) if boxes else "none labelled") + ".")
    if scene.unlabelled:
        parts.append(f"Unlabelled shapes: {scene.unlabelled}.")
    if scene.arrows:
        arrows = [f"{a} → {b}" for a, b in scene.arrows[:MAX_ARROWS]]
        parts.append("Arrows: " + "; ".join(arrows) + ".")
    alone = scene.unconnected()
    if alone and scene.arrows:
        parts.append("Not connected: " + "; ".join(alone) + ".")
    if scene.loose_arrows:
        parts.append(f"Arrows ending on nothing: {scene.loose_arrows}.")
    if scene.notes:
        parts.append("Notes: " + "; ".join(scene.notes) + ".")
    return PREFIX + " ".join(parts) + SUFFIX


def describe_elements(elements: list[dict[str, Any]]) -> str:
    return describe(read_scene(elements))


_SECTION = re.compile(r"(Boxes|Unlabelled shapes|Arrows|Not connected|Arrows ending on nothing|"
                      r"Notes): ([^.]*)\.")


def is_description(text: str) -> bool:
    return text.lstrip().startswith(PREFIX.strip())


def parse_description(text: str) -> Scene:
    """The scene a `describe` line stands for (boxes, arrows, loose ends, notes)."""
    scene = Scene()
    for name, body in _SECTION.findall(text):
        items = [i.strip() for i in body.split(";") if i.strip()]
        if name == "Boxes":
            for item in items:
                if item == "none labelled":
                    continue
                label, _, count = item.partition(" ×")
                scene.boxes[label.strip()] += int(count) if count.isdigit() else 1
        elif name == "Arrows":
            for item in items:
                a, _, b = item.partition(" → ")
                if a and b:
                    scene.arrows.append((a.strip(), b.strip()))
        elif name == "Arrows ending on nothing" and body.strip().isdigit():
            scene.loose_arrows = int(body.strip())
        elif name == "Unlabelled shapes" and body.strip().isdigit():
            scene.unlabelled = int(body.strip())
        elif name == "Notes":
            scene.notes = items
    return scene
