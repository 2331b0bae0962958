"""Named errors raised by the storage layer; the server maps them to HTTP."""


class StorageError(Exception):
    """Base class for everything storage raises on purpose."""


class NotFound(StorageError):
    """A record or object does not exist (or is not visible to the caller)."""

    def __init__(self, what: str, ident: str) -> None:
        super().__init__(f"{what} {ident!r} not found")
        self.what = what
        self.ident = ident


class Conflict(StorageError):
    """The change would break a uniqueness rule or a state machine."""


class IllegalTransition(Conflict):
    """An interview status change the state machine does not allow."""

    def __init__(self, current: str, requested: str) -> None:
        super().__init__(f"cannot change status from {current!r} to {requested!r}")
        self.current = current
        self.requested = requested


class InvalidKey(StorageError):
    """An object key that could escape the store or is otherwise malformed."""


class ObjectStoreUnavailable(StorageError):
    """The object store cannot be reached right now; the caller may retry later."""


class ReadOnly(Conflict):
    """The record has reached a final state and no longer changes."""


class LimitExceeded(StorageError):
    """A value is larger than the storage layer accepts (size, count)."""
