"""Every process-wide change this server makes to a third-party library: what, when, and for
which versions.

The patch code lives next to what it serves; this module alone decides what is installed and
when (`install()`, once at process start: from `python -m server` and from `create_app`).

- aiortc: `media/passthrough.py` rebinds `aiortc.rtcrtpreceiver.get_decoder` and
  `decoder_worker` (VP8 passed through, Opus teed and decoded to 16 kHz) and swaps the put of a
  receiver's decoder queue to decode on the event loop; `passthrough.request_keyframe` calls the
  private `RTCRtpReceiver._send_rtcp_pli`.
- aiortc: `media/sctp_limit.py` wraps `RTCSctpTransport.__init__`, `_receive_data_chunk`,
  `_receive`, `_handle_data` and `getCapabilities`: a 256 KiB max message size and a 512 KiB
  receive window, enforced by aborting the association (aiortc advertises but never enforces).
- aioice: `server/live/ice.py` replaces `aioice.ice.get_host_addresses` and
  `Connection.request_received` in loopback-only mode (`ICE_LOOPBACK_ONLY`, on when the server
  listens on loopback).
- google-adk: nothing is rebound, but `agents/live.py` bounds its `LiveRequestQueue` by reading
  the private `_queue`.

Each of these leans on internals that a release may change without notice, so the installed
versions are checked against the ranges they were tested with: an unknown version stops the
server at start with one line naming it, instead of misbehaving at the first call. The same
ranges are the pins in pyproject.toml (tests/http/test_patches.py keeps them equal).
"""

from __future__ import annotations

import functools
import importlib.metadata
import logging
import threading

from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from media import passthrough, sctp_limit
from server.config import Settings
from server.live import ice

log = logging.getLogger(__name__)

# package -> the versions the patches above were tested with (as pinned in pyproject.toml).
TESTED: dict[str, str] = {
    "aiortc": ">=1.16,<1.17",
    "aioice": ">=0.13,<0.14",
    "google-adk": ">=2.13,<2.14",
}

_lock = threading.Lock()


class UntestedVersion(RuntimeError):
    """A patched library is missing or at a version the patches were not tested with."""


@functools.cache
def installed_version(package: str) -> str | None:
    """The installed distribution's version, or None when it is not installed (looked up once:
    reading the metadata takes milliseconds, and `create_app` checks on every call)."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def check_versions() -> None:
    """Raise UntestedVersion for the first patched package outside its tested range."""
    for package, tested in TESTED.items():
        found = installed_version(package)
        if found is None:
            raise UntestedVersion(f"{package} is not installed (tested: {package}{tested})")
        try:
            ok = SpecifierSet(tested).contains(Version(found), prereleases=True)
        except InvalidVersion:
            ok = False
        if not ok:
            raise UntestedVersion(
                f"{package} {found} is installed, but this server's patches are tested with "
                f"{package}{tested} only (see server/patches.py)"
            )


def install(settings: Settings) -> None:
    """Check the versions, then patch for these settings. Idempotent: calling it again (each
    `create_app` does) re-applies the same patches, switching loopback-only ICE on or off as
    `settings` says. Must run before the first RTCPeerConnection exists."""
    check_versions()
    with _lock:
        passthrough.install()
        sctp_limit.install()
        if settings.ice_loopback_only:
            ice.enable_loopback_only()
        else:
            ice.disable_loopback_only()


def uninstall() -> None:
    """Give aiortc and aioice back their own code (for tests and tools in the same process)."""
    with _lock:
        passthrough.uninstall()
        sctp_limit.uninstall()
        ice.disable_loopback_only()


def installed() -> bool:
    return passthrough.installed()
