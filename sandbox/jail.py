"""The bubblewrap command line, the jail's rlimits, and the hop that joins a slot's cgroups.

Only /usr (read-only, plus the /bin, /lib* symlinks, and a language's own config directory
such as /etc/java-17-openjdk) is visible; /work and /tmp are private
size-capped tmpfs; no /etc, no host /proc, no network, no environment. The seccomp program
arrives on an inherited fd and is loaded by bwrap right before exec; rlimits and the uid drop
are applied by the slot's spawner between fork and exec (see `spawner_process.py`).
"""

from __future__ import annotations

import math
import os
import resource
from collections.abc import Sequence
from functools import cache

from sandbox.models import Limits

WORKDIR = "/work"
SECCOMP_FD = 3  # fd numbers inside the jail's first process
REPORT_FD = 4
_TOP_LEVEL = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
ENV = {"PATH": "/usr/bin:/bin", "HOME": WORKDIR, "TMPDIR": "/tmp", "LANG": "C.UTF-8"}


@cache
def _root_links() -> tuple[str, ...]:
    """Recreate merged-/usr symlinks (or bind real dirs on a non-merged system)."""
    args: list[str] = []
    for path in _TOP_LEVEL:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return tuple(args)


def bwrap_argv(
    bwrap: str,
    limits: Limits,
    seccomp_fd: int,
    argv: Sequence[str],
    binds: Sequence[str] = (),
) -> list[str]:
    """`binds`: extra host paths shown read-only (Debian's JDK keeps its config in /etc)."""
    size = str(limits.file_mb * 1024 * 1024)
    args = [
        bwrap,
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--hostname",
        "sandbox",
        "--ro-bind",
        "/usr",
        "/usr",
        *_root_links(),
        *[arg for path in binds for arg in ("--ro-bind", path, path)],
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--remount-ro",
        "/dev",
        "--size",
        size,
        "--perms",
        "1777",
        "--tmpfs",
        "/tmp",
        "--size",
        size,
        "--tmpfs",
        WORKDIR,
        "--remount-ro",
        "/",
        "--chdir",
        WORKDIR,
    ]
    for key, value in ENV.items():
        args += ["--setenv", key, value]
    args += ["--seccomp", str(seccomp_fd), "--", *argv]
    return args


def rlimits(
    limits: Limits, *, address_space: int | None, nproc: int | None
) -> list[tuple[int, int, int]]:
    """(resource, soft, hard) for the jail; CPU gets a soft limit (SIGXCPU) one second early."""
    cpu = max(1, math.ceil(limits.cpu_limit_s))
    fsize = limits.file_mb * 1024 * 1024
    out = [
        (resource.RLIMIT_CPU, cpu, cpu + 1),
        (resource.RLIMIT_FSIZE, fsize, fsize),
        (resource.RLIMIT_NOFILE, limits.open_files, limits.open_files),
        (resource.RLIMIT_CORE, 0, 0),
        (resource.RLIMIT_MEMLOCK, 0, 0),
        (resource.RLIMIT_MSGQUEUE, 0, 0),
    ]
    if address_space is not None:
        out.append((resource.RLIMIT_AS, address_space, address_space))
    if nproc is not None:
        out.append((resource.RLIMIT_NPROC, nproc, nproc))
    return out


def join_cgroups_argv(procs_files: Sequence[str]) -> list[str]:
    """A `sh` hop in front of a command that first moves itself into the given cgroups.

    Used once per slot to start its spawner; everything the spawner forks inherits the cgroups.
    """
    if not procs_files:
        return []
    return [SH, "-c", _JOIN_SCRIPT, "sh", *procs_files, "--"]


SH = "/bin/sh"
# dash exports PWD to what it execs: unset it, so the spawner (and every jail) starts with an
# empty environment (bwrap's pid 1 inside the jail would show it in /proc/1/environ).
_JOIN_SCRIPT = (
    'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; unset PWD; exec "$@"'
)
