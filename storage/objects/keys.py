"""Object key rules shared by every backend: keys can never name a path outside the store."""

from __future__ import annotations

import re

from storage.errors import InvalidKey

MAX_KEY_LEN = 512
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def validate_key(key: str) -> str:
    """Return `key` if it is a safe relative key like `interviews/<id>/audio.ogg`."""
    if not isinstance(key, str) or not key:
        raise InvalidKey("object key must be a non-empty string")
    if len(key) > MAX_KEY_LEN:
        raise InvalidKey(f"object key longer than {MAX_KEY_LEN} characters")
    if key.startswith("/") or "\\" in key:
        raise InvalidKey(f"object key {key!r} must be relative and use '/' separators")
    for segment in key.split("/"):
        if segment in ("", ".", ".."):
            raise InvalidKey(f"object key {key!r} has an empty, '.' or '..' segment")
        if not _SEGMENT.match(segment):
            raise InvalidKey(f"object key {key!r} has characters outside [A-Za-z0-9._-]")
    return key


def validate_prefix(prefix: str) -> str:
    """A listing prefix: empty, or a valid key optionally ending in '/'."""
    if prefix == "":
        return prefix
    validate_key(prefix.rstrip("/"))
    return prefix
