"""Stripe's request encoding: `application/x-www-form-urlencoded` with bracketed keys.

The SDK sends `line_items[0][price]=price_1&metadata[user_id]=u&expand[0]=x`; this turns such
pairs back into the nested dicts and lists the JSON API describes.
"""

from __future__ import annotations

import re
from typing import Any

_PART = re.compile(r"\[([^\[\]]*)\]")
MAX_DEPTH = 5


class FormError(ValueError):
    """A key that does not follow the bracket grammar."""


def _path(key: str) -> list[str]:
    head, _, rest = key.partition("[")
    if not head or "]" in head:
        raise FormError(f"bad parameter name {key!r}")
    parts = [head]
    if rest:
        rest = "[" + rest
        found = _PART.findall(rest)
        if "".join(f"[{p}]" for p in found) != rest:
            raise FormError(f"bad parameter name {key!r}")
        parts += found
    if len(parts) > MAX_DEPTH:
        raise FormError(f"parameter {key!r} is nested too deeply")
    return parts


def _listify(node: Any) -> Any:
    """Dicts keyed only by indices (or `[]` appends) become lists, recursively."""
    if not isinstance(node, dict):
        return node
    node = {k: _listify(v) for k, v in node.items()}
    if node and all(k.isdigit() or k.startswith("\0") for k in node):
        return [node[k] for k in sorted(node, key=lambda k: int(k.lstrip("\0")))]
    return node


def decode(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Nest the (key, value) pairs of a Stripe form body or query string."""
    root: dict[str, Any] = {}
    appended = 0
    for key, value in pairs:
        parts = _path(key)
        node = root
        for i, part in enumerate(parts):
            if part == "":
                part = f"\0{appended}"
                appended += 1
            last = i == len(parts) - 1
            if last:
                node[part] = value
            else:
                nxt = node.setdefault(part, {})
                if not isinstance(nxt, dict):
                    raise FormError(f"parameter {key!r} mixes a value and a hash")
                node = nxt
    return _listify(root)
