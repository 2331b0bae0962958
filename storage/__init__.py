"""Persistence: the relational database (SQLAlchemy) and the object store.

Imports none of the other project packages.
"""

from storage.errors import (
    Conflict,
    IllegalTransition,
    InvalidKey,
    LimitExceeded,
    NotFound,
    ObjectStoreUnavailable,
    ReadOnly,
    StorageError,
)

__all__ = [
    "Conflict",
    "IllegalTransition",
    "InvalidKey",
    "LimitExceeded",
    "NotFound",
    "ObjectStoreUnavailable",
    "ReadOnly",
    "StorageError",
]
