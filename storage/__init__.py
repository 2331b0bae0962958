"""Persistence: the relational database (SQLAlchemy) and the object store.

Imports none of the other project packages.
"""

from storage.errors import (
    Conflict,
    IllegalTransition,
    InvalidKey,
    NotFound,
    ObjectStoreUnavailable,
    StorageError,
)

__all__ = [
    "Conflict",
    "IllegalTransition",
    "InvalidKey",
    "NotFound",
    "ObjectStoreUnavailable",
    "StorageError",
]
