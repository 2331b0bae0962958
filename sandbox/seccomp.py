"""Seccomp filter for the local jail, compiled once with libseccomp and cached as BPF.

Why libseccomp through ctypes: it is installed on every Debian (apt depends on it), it gets the
per-architecture details right (audit arch check, x32 syscall numbers) and `seccomp_export_bpf`
hands us a plain BPF program that bwrap loads with `--seccomp FD` right before exec. No Python
binding is needed, so the venv's interpreter works as well as Debian's.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import os

from sandbox.errors import BackendUnavailable

_ACT_ALLOW = 0x7FFF0000
_CMP_NE = 1
_CMP_EQ = 4
_CMP_MASKED_EQ = 7

AF_UNIX = 1
TIOCSTI = 0x5412

# Namespace flags a jailed process may not pass to clone(); clone3 hides its flags in memory
# that seccomp cannot read, so clone3 answers ENOSYS and libc falls back to clone.
_CLONE_NEW_FLAGS = (
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
    0x00000080,  # CLONE_NEWTIME
)

# Denied with EPERM: debugging other processes, changing mounts or namespaces, kernel keyrings,
# BPF, module loading and other admin calls. Names unknown on this architecture are skipped.
DENIED = (
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_getfd",
    "mount",
    "umount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
    "open_by_handle_at",
    "name_to_handle_at",
    "bpf",
    "keyctl",
    "add_key",
    "request_key",
    "perf_event_open",
    "userfaultfd",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "quotactl",
    "quotactl_fd",
    "lookup_dcookie",
    "iopl",
    "ioperm",
    "syslog",
    "vhangup",
    "uselib",
    "nfsservctl",
    "fanotify_init",
)
# Answered ENOSYS so runtimes fall back quietly (libuv probes io_uring, glibc probes clone3).
UNAVAILABLE = ("clone3", "io_uring_setup", "io_uring_enter", "io_uring_register")


class _ArgCmp(ctypes.Structure):
    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


def _errno_action(code: int) -> int:
    return 0x00050000 | (code & 0xFFFF)


def _load_library() -> ctypes.CDLL:
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        lib = ctypes.CDLL(name, use_errno=True)
    except OSError as e:
        raise BackendUnavailable(f"libseccomp is not installed ({e}): install libseccomp2") from e
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    lib.seccomp_syscall_resolve_name.restype = ctypes.c_int
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_rule_add_array.restype = ctypes.c_int
    lib.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgCmp),
    ]
    lib.seccomp_export_bpf.restype = ctypes.c_int
    lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    return lib


def _add(
    lib: ctypes.CDLL, ctx: int, action: int, name: str, *cmps: tuple[int, int, int, int]
) -> None:
    nr = lib.seccomp_syscall_resolve_name(name.encode())
    if nr < 0:
        return
    arr = (_ArgCmp * max(1, len(cmps)))(*[_ArgCmp(*c) for c in cmps])
    rc = lib.seccomp_rule_add_array(ctx, action, nr, len(cmps), arr)
    if rc < 0:
        raise BackendUnavailable(f"seccomp rule for {name} rejected: {os.strerror(-rc)}")


@functools.cache
def bpf_program() -> bytes:
    """The jail's filter as raw BPF (struct sock_filter[]), built once per process."""
    lib = _load_library()
    ctx = lib.seccomp_init(_ACT_ALLOW)
    if not ctx:
        raise BackendUnavailable("seccomp_init failed")
    try:
        eperm = _errno_action(errno.EPERM)
        for name in DENIED:
            _add(lib, ctx, eperm, name)
        for name in UNAVAILABLE:
            _add(lib, ctx, _errno_action(errno.ENOSYS), name)
        _add(lib, ctx, _errno_action(errno.EAFNOSUPPORT), "socket", (0, _CMP_NE, AF_UNIX, 0))
        _add(lib, ctx, eperm, "ioctl", (1, _CMP_EQ, TIOCSTI, 0))
        for flag in _CLONE_NEW_FLAGS:
            _add(lib, ctx, eperm, "clone", (0, _CMP_MASKED_EQ, flag, flag))
        fd = os.memfd_create("sandbox-seccomp", os.MFD_CLOEXEC)
        try:
            rc = lib.seccomp_export_bpf(ctx, fd)
            if rc < 0:
                raise BackendUnavailable(f"seccomp_export_bpf failed: {os.strerror(-rc)}")
            size = os.lseek(fd, 0, os.SEEK_END)
            return os.pread(fd, size, 0)
        finally:
            os.close(fd)
    finally:
        lib.seccomp_release(ctx)


def program_fd() -> int:
    """A fresh readable pipe holding the program: bwrap reads it to EOF, so one per run."""
    data = bpf_program()
    r, w = os.pipe()
    try:
        os.write(w, data)
    finally:
        os.close(w)
    return r
