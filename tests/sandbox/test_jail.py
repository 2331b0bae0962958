"""Jail building blocks: the bwrap command, the seccomp program, rlimits, cgroup discovery."""

from __future__ import annotations

import os
import resource
import subprocess
import time
from pathlib import Path

import pytest

from sandbox import Limits, Sandbox, SandboxConfig, jail, seccomp
from sandbox.cgroups import SlotCgroups, find_mounts
from tests.sandbox.conftest import TEST_UID_BASE

V1 = """\
25 24 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
30 25 0:27 / /sys/fs/cgroup/memory rw,nosuid,relatime - cgroup cgroup rw,memory
31 25 0:28 / /sys/fs/cgroup/pids rw,nosuid,relatime - cgroup cgroup rw,pids
32 25 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct
33 25 0:30 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw
"""
V2 = "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw\n"


def test_bwrap_command_isolates_everything() -> None:
    argv = jail.bwrap_argv("/usr/bin/bwrap", Limits(file_mb=8), 3, ["/usr/bin/python3", "-c", "1"])
    text = " ".join(argv)
    for flag in (
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--ro-bind /usr /usr",
        "--remount-ro /",
        "--seccomp 3",
        "--chdir /work",
    ):
        assert flag in text
    assert "--size 8388608 --tmpfs /work" in text
    assert argv[-4:] == ["--", "/usr/bin/python3", "-c", "1"]
    binds = [argv[i + 1] for i, a in enumerate(argv) if a in ("--bind", "--ro-bind")]
    assert all(b.startswith(("/usr", "/bin", "/lib", "/sbin")) for b in binds), binds
    assert "--share-net" not in argv


def test_rlimits_and_cgroup_hop() -> None:
    limits = jail.rlimits(Limits(wall_s=2.5, open_files=32), address_space=1 << 30, nproc=64)
    table = {r: (soft, hard) for r, soft, hard in limits}
    assert table[resource.RLIMIT_CPU] == (3, 4)  # SIGXCPU first, SIGKILL a second later
    assert table[resource.RLIMIT_NOFILE] == (32, 32)
    assert table[resource.RLIMIT_CORE] == (0, 0)
    assert table[resource.RLIMIT_AS] == (1 << 30, 1 << 30)
    assert table[resource.RLIMIT_NPROC] == (64, 64)
    assert table[resource.RLIMIT_FSIZE] == (16 << 20, 16 << 20)
    hop = jail.join_cgroups_argv(["/cg/memory/x/cgroup.procs", "/cg/pids/x/cgroup.procs"])
    assert hop[:2] == ["/bin/sh", "-c"] and hop[-3:] == [
        "/cg/memory/x/cgroup.procs",
        "/cg/pids/x/cgroup.procs",
        "--",
    ]
    assert jail.join_cgroups_argv([]) == []


def test_seccomp_program_is_cached_bpf() -> None:
    prog = seccomp.bpf_program()
    assert prog and len(prog) % 8 == 0  # struct sock_filter is 8 bytes
    assert seccomp.bpf_program() is prog
    fd = seccomp.program_fd()
    try:
        assert os.read(fd, 1 << 16) == prog
    finally:
        os.close(fd)


def test_mount_discovery() -> None:
    v1 = find_mounts(V1)
    assert v1.v1 == {
        "memory": Path("/sys/fs/cgroup/memory"),
        "pids": Path("/sys/fs/cgroup/pids"),
        "cpuacct": Path("/sys/fs/cgroup/cpu,cpuacct"),
    }
    assert v1.v2 == Path("/sys/fs/cgroup/unified")
    v2 = find_mounts(V2)
    assert v2.v1 == {} and v2.v2 == Path("/sys/fs/cgroup")


def test_no_cgroups_means_rlimit_fallback(caplog) -> None:
    with caplog.at_level("WARNING", logger="sandbox.cgroups"):
        cg = SlotCgroups("x", range(1), enabled=False)
    assert cg.version == "none" and not cg.limits_memory and not cg.limits_pids
    assert "RLIMIT_AS" in caplog.text
    assert cg.procs_files(0) == [] and cg.oom_kills(0) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="creating cgroups needs root")
def test_slot_cgroups_lifecycle() -> None:
    mounts = find_mounts()
    cg = SlotCgroups("interview-sandbox-test-cg", range(2), mounts=mounts)
    if cg.version == "none":
        pytest.skip("no writable cgroup here")
    try:
        cg.prepare(1, 64 << 20, 16)
        files = cg.procs_files(1)
        assert files and all(Path(f).exists() for f in files)
        assert cg.oom_kills(1) == 0
        if cg.version == "v1":
            slot = mounts.v1["memory"] / "interview-sandbox-test-cg" / "slot-1"
            assert (slot / "memory.limit_in_bytes").read_text().strip() == str(64 << 20)
            pids = mounts.v1["pids"] / slot.parent.name / "slot-1" / "pids.max"
            assert pids.read_text() == "16\n"
    finally:
        cg.close()
    assert not any(Path(f).exists() for f in files)


async def test_without_cgroups_memory_is_still_limited() -> None:
    config = SandboxConfig(
        backend="local",
        max_concurrency=1,
        cgroups=False,
        cgroup_name="interview-sandbox-test-nocg",
        uid_base=TEST_UID_BASE + 200,
    )
    sb = Sandbox(config)
    try:
        big = await sb.run("python", "x = bytearray(1 << 30)", limits={"memory_mb": 128})
        ok = await sb.run(
            "python", "x = bytearray(32 << 20)\nprint(len(x))", limits={"memory_mb": 128}
        )
        forks = await sb.run(
            "python",
            "import os\nn = 0\ntry:\n    while True:\n        if os.fork() == 0:\n"
            "            import time; time.sleep(5); os._exit(0)\n        n += 1\n"
            "except OSError as e:\n    print('stopped', n, e.errno)",
            limits={"pids": 16, "wall_s": 3},
        )
    finally:
        sb.close()
    assert big.error_kind == "memory_limit"
    assert ok.error_kind is None and ok.stdout == f"{32 << 20}\n"
    assert forks.stdout.startswith("stopped"), forks
    assert int(forks.stdout.split()[1]) <= 16


@pytest.mark.skipif(os.geteuid() != 0, reason="creating cgroups needs root")
def test_janitor_clears_what_a_crashed_server_left() -> None:
    mounts = find_mounts()
    if "memory" not in mounts.v1:
        pytest.skip("cgroup v1 memory controller not mounted here")
    stale = mounts.v1["memory"] / "interview-sandbox-test-janitor" / "slot-7"
    stale.mkdir(parents=True, exist_ok=True)
    orphan = subprocess.Popen(["sleep", "60"])
    (stale / "cgroup.procs").write_text(str(orphan.pid))
    cg = SlotCgroups("interview-sandbox-test-janitor", range(1), mounts=mounts)
    try:
        deadline = time.monotonic() + 5
        while orphan.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert orphan.returncode == -9
        assert not stale.exists()
        assert Path(cg.procs_files(0)[0]).exists()
    finally:
        cg.close()
