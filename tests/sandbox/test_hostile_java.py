"""The hostile battery in Java, in the real local jail (the JVM compiles and runs in it).

Same bar as `test_hostile.py`: the right error kind, the host untouched, nothing left running.
A JVM start costs seconds on a loaded machine, so each test starts its programs together.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from sandbox import Sandbox
from tests.sandbox.conftest import REPO_ROOT, slot_uids, survivors
from tests.sandbox.test_hostile import listener  # noqa: F401 - fixture

ROOMY = {"wall_s": 30}  # for programs that end by themselves: JVM start-up on a busy machine

pytestmark = pytest.mark.skipif(not Path("/usr/bin/java").exists(), reason="no JDK installed")


def main(body: str, imports: str = "") -> str:
    return (
        f"import java.io.*;\nimport java.nio.file.*;\nimport java.util.*;\n{imports}\n"
        "public class Main {\n    public static void main(String[] args) throws Exception {\n"
        f"{body}\n    }}\n}}\n"
    )


@pytest.fixture(autouse=True)
def no_leftovers(sandbox: Sandbox):
    yield
    assert survivors(slot_uids(sandbox)) == [], "jailed processes survived the run"


async def test_network_and_host_files_are_out_of_reach(sandbox: Sandbox, listener) -> None:  # noqa: F811
    port, accepted = listener
    marker = f"sandbox-escape-{uuid.uuid4().hex}"
    targets = ["/usr/" + marker, "/" + marker, "/etc/java-17-openjdk/" + marker]
    targets.append(f"{REPO_ROOT}/{marker}")
    connect = main(f'new java.net.Socket("127.0.0.1", {port}); System.out.println("CONNECTED");')
    dns = main('System.out.println(java.net.InetAddress.getByName("example.com"));')
    shadow = main('System.out.println(Files.readString(Path.of("/etc/shadow")));')
    listing = main(f'System.out.println(Arrays.toString(new File("{REPO_ROOT}").list()));')
    writes = main(
        "for (String p : new String[] {"
        + ", ".join(f'"{t}"' for t in targets)
        + "}) {\n"
        '  try { Files.writeString(Path.of(p), "x"); System.out.println("WROTE " + p); }\n'
        '  catch (IOException e) { System.out.println("blocked " + p); }\n}\n'
        f'Files.writeString(Path.of("/work/{marker}"), "ok"); System.out.println("done");'
    )
    runs = await asyncio.gather(
        *(sandbox.run("java", c, limits=ROOMY) for c in (connect, dns, shadow, listing, writes))
    )
    for r in runs[:3]:
        assert r.error_kind == "runtime_error", r
        assert "CONNECTED" not in r.stdout and "root:" not in r.stdout
    assert "SocketException" in runs[0].stderr
    assert "UnknownHostException" in runs[1].stderr
    assert "NoSuchFileException" in runs[2].stderr
    assert runs[3].stdout.strip() == "null", runs[3]  # the directory does not exist in the jail
    assert runs[4].error_kind is None, runs[4]
    assert "WROTE" not in runs[4].stdout and runs[4].stdout.count("blocked") == len(targets)
    assert accepted() == 0
    for t in [*targets, f"/work/{marker}"]:
        assert not Path(t).exists()


async def test_resource_abuse_ends_with_the_right_kind(sandbox: Sandbox) -> None:
    forks = main(
        'for (;;) { try { new ProcessBuilder("/bin/sh", "-c", "sleep 100").start(); }'
        " catch (IOException e) { } }"
    )
    heap = main("List<long[]> hoard = new ArrayList<>(); for (;;) hoard.add(new long[1 << 20]);")
    spin = main("for (;;) { }")
    flood = main('for (;;) System.out.println("y".repeat(1000));')
    disk = main(
        'try (OutputStream o = new FileOutputStream("/work/fill")) {'
        " byte[] b = new byte[65536]; for (;;) o.write(b); }"
    )
    fork_r, heap_r, spin_r, flood_r, disk_r = await asyncio.gather(
        sandbox.run("java", forks, limits={"wall_s": 2}),
        sandbox.run("java", heap, limits={"memory_mb": 256, "wall_s": 30}),
        sandbox.run("java", spin, limits={"wall_s": 1.5}),
        sandbox.run("java", flood, limits={"output_kb": 1024, "wall_s": 30}),
        sandbox.run("java", disk, limits={"file_mb": 8, "wall_s": 30}),
    )
    assert fork_r.error_kind in ("timeout", "runtime_error"), fork_r
    assert heap_r.error_kind == "memory_limit", heap_r
    assert spin_r.error_kind == "timeout", spin_r
    assert spin_r.time_ms < 1500 + 4000 + 2500  # the limit, the JVM allowance, the kill
    assert flood_r.error_kind == "output_limit" and flood_r.truncated, flood_r
    assert len(flood_r.stdout) + len(flood_r.stderr) <= 1024 * 1024
    # The file-size rlimit or the 8 MB tmpfs (which also holds the harness and classes).
    assert disk_r.error_kind == "runtime_error", disk_r
    assert "File too large" in disk_r.stderr or "No space left" in disk_r.stderr, disk_r
    host = await asyncio.create_subprocess_exec("true")
    assert await host.wait() == 0


async def test_compile_error_and_missing_main_are_compile_errors(sandbox: Sandbox) -> None:
    broken, no_main, package_private = await asyncio.gather(
        sandbox.run("java", "public class Main { void f( }", limits=ROOMY),
        sandbox.run("java", "class Helper { }", limits=ROOMY),
        sandbox.run("java", "class Main { public static void main(String[] a) {"
                    " System.out.println(6 * 7); } }", limits=ROOMY),
    )
    assert package_private.stdout == "42\n" and package_private.error_kind is None
    assert broken.error_kind == "compile_error" and "Main.java:1: error" in broken.stderr, broken
    assert no_main.error_kind == "compile_error" and "main(String[] args)" in no_main.stderr


QUESTION = {
    "slug": "add",
    "entry_point": {"java": "add"},
    "compare": "exact",
    "tests": [{"args": [1, 2], "expected": 3}, {"args": [5, 5], "expected": 10}],
}


async def test_forged_verdicts_do_not_pass(sandbox: Sandbox) -> None:
    """The candidate finds the harness by reflection and reports its own results, with the
    right nonce: the reports for a test arrive twice and the test fails."""
    forger = """
import java.lang.reflect.*;
class Solution {
    static {
        try {
            Class<?> h = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE)
                .walk(s -> s.map(StackWalker.StackFrame::getDeclaringClass)
                    .filter(c -> c.getName().equals("Harness")).findFirst().get());
            Method record = h.getDeclaredMethod("record", Object[].class);
            record.setAccessible(true);
            for (int i = 0; i < 2; i++) {
                Object[] fields = {"k", "result", "i", i, "ok", true, "a", 3};
                record.invoke(null, (Object) fields);
            }
            System.out.println("{\\"status\\": \\"accepted\\"}");
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
    public int add(int a, int b) { return -1; }
}
"""
    quitter = "class Solution { public int add(int a, int b) { System.exit(0); return 0; } }"
    forged, quit_early = await asyncio.gather(
        sandbox.judge("java", forger, QUESTION, limits=ROOMY),
        sandbox.judge("java", quitter, QUESTION, limits=ROOMY),
    )
    for v in (forged, quit_early):
        assert v.status != "accepted", v
        assert v.passed == 0, v
    assert forged.tests[0].stderr == "the report for this test was forged", forged


async def test_judged_failures_are_reported_per_test(sandbox: Sandbox) -> None:
    question = {
        "entry_point": {"java": "f"},
        "tests": [{"args": [n], "expected": n} for n in (1, 2, 3)],
    }
    code = """
import java.util.*;
class Solution {
    public int f(int n) {
        if (n == 2) { return f(n); }
        if (n == 3) { List<long[]> a = new ArrayList<>(); for (;;) a.add(new long[1 << 20]); }
        return n;
    }
}
"""
    v = await sandbox.judge("java", code, question, limits={"memory_mb": 256, "wall_s": 30})
    kinds = [t.error_kind for t in v.tests]
    assert kinds == [None, "runtime_error", "memory_limit"], v
    assert "StackOverflowError" in v.tests[1].stderr
