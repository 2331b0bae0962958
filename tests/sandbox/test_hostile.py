"""Hostile programs in the real local jail, each in Python and JavaScript.

Each one must end with the right error kind and leave the host untouched: no connection, no
secret read, no file written outside the jail, no process left behind.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from pathlib import Path

import pytest

from sandbox import Sandbox, SandboxConfig
from tests.sandbox.conftest import REPO_ROOT, TEST_UID_BASE, slot_uids, survivors

SHORT = {"wall_s": 1.5}


@pytest.fixture(autouse=True)
def no_leftovers(sandbox: Sandbox):
    yield
    assert survivors(slot_uids(sandbox)) == [], "jailed processes survived the run"


@pytest.fixture
def listener():
    """A TCP listener on 127.0.0.1 that counts the connections it receives."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    srv.setblocking(False)

    def accepted() -> int:
        n = 0
        while True:
            try:
                conn, _ = srv.accept()
            except BlockingIOError:
                return n
            conn.close()
            n += 1

    yield srv.getsockname()[1], accepted
    srv.close()


async def test_tcp_connection_to_host_listener(sandbox: Sandbox, listener) -> None:
    port, accepted = listener
    py = await sandbox.run(
        "python",
        f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=1)\n"
        "print('CONNECTED')",
    )
    js = await sandbox.run(
        "javascript",
        f"const c = require('net').connect({port}, '127.0.0.1', () => {{"
        " console.log('CONNECTED'); process.exit(0); });"
        " c.on('error', (e) => { console.error(e.code); process.exit(1); });",
    )
    for r in (py, js):
        assert r.error_kind == "runtime_error", r
        assert "CONNECTED" not in r.stdout
    assert "Address family not supported" in py.stderr
    assert "EAFNOSUPPORT" in js.stderr
    assert accepted() == 0


async def test_dns_lookup_fails(sandbox: Sandbox) -> None:
    py = await sandbox.run("python", "import socket\nprint(socket.getaddrinfo('example.com', 80))")
    js = await sandbox.run(
        "javascript",
        "require('dns').lookup('example.com', (err, addr) => {"
        " if (err) { console.error(err.code); process.exit(1); } console.log(addr); });",
    )
    for r in (py, js):
        assert r.error_kind == "runtime_error", r
        assert r.stdout == ""
    assert "gaierror" in py.stderr


async def test_read_etc_shadow(sandbox: Sandbox) -> None:
    py = await sandbox.run("python", "print(open('/etc/shadow').read())")
    js = await sandbox.run(
        "javascript", "console.log(require('fs').readFileSync('/etc/shadow', 'utf8'))"
    )
    for r in (py, js):
        assert r.error_kind == "runtime_error", r
        assert "root:" not in r.stdout
    assert "FileNotFoundError" in py.stderr
    assert "ENOENT" in js.stderr


async def test_project_directory_is_invisible(sandbox: Sandbox) -> None:
    repo = str(REPO_ROOT)
    py = await sandbox.run(
        "python",
        f"import os\nfor p in [{repo!r}, '/work/main', '/root', '/home']:\n"
        "    print(p, os.path.exists(p))\n"
        f"print(os.listdir({repo!r}))",
    )
    js = await sandbox.run("javascript", f"console.log(require('fs').readdirSync({repo!r}))")
    for r in (py, js):
        assert r.error_kind == "runtime_error", r
        assert "pyproject.toml" not in r.stdout
    assert f"{repo} False" in py.stdout
    assert "/root False" in py.stdout


async def test_writes_outside_the_work_dir(sandbox: Sandbox) -> None:
    marker = f"sandbox-escape-{uuid.uuid4().hex}"
    targets = ["/usr/" + marker, "/" + marker, "/etc/" + marker, f"{REPO_ROOT}/{marker}"]
    py = await sandbox.run(
        "python",
        f"for p in {targets!r}:\n"
        "    try:\n"
        "        open(p, 'w').write('x'); print('WROTE', p)\n"
        "    except OSError as e:\n"
        "        print('blocked', p, e.strerror)\n"
        f"open('/tmp/{marker}', 'w').write('private'); open('/work/{marker}', 'w').write('ok')\n"
        "print('done')",
    )
    js = await sandbox.run(
        "javascript",
        f"for (const p of {targets!r}) {{"
        " try { require('fs').writeFileSync(p, 'x'); console.log('WROTE', p); }"
        " catch (e) { console.log('blocked', p, e.code); } }",
    )
    for r in (py, js):
        assert r.error_kind is None, r
        assert "WROTE" not in r.stdout
        assert r.stdout.count("blocked") == len(targets)
    assert "done" in py.stdout
    for t in [*targets, f"/tmp/{marker}", f"/work/{marker}"]:
        assert not Path(t).exists()


async def test_fork_bomb_is_contained(sandbox: Sandbox) -> None:
    py = await sandbox.run(
        "python",
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass",
        limits={"wall_s": 2},
    )
    js = await sandbox.run(
        "javascript",
        "const cp = require('child_process');"
        " for (;;) { try { cp.spawn(process.execPath, ['-e', 'for(;;){}'],"
        " {stdio: 'ignore'}); } catch (e) {} }",
        limits={"wall_s": 2},
    )
    for r in (py, js):
        assert r.error_kind in ("timeout", "runtime_error"), r
        assert r.time_ms < 6000
    assert survivors(slot_uids(sandbox)) == []
    host = await asyncio.create_subprocess_exec("true")
    assert await host.wait() == 0  # the host can still fork


@pytest.mark.parametrize(
    ("language", "code"),
    [
        ("python", "x = bytearray(2 * 1024 ** 3)\nprint(len(x))"),
        ("python", "x = b'x' * (2 * 1024 ** 3)\nprint(len(x))"),
        ("javascript", "const b = Buffer.alloc(2 * 1024 ** 3 - 1, 1); console.log(b.length)"),
        ("javascript", "const a = []; for (;;) a.push(new Array(1e6).fill(1.5));"),
    ],
    ids=["py-bytearray", "py-touched", "js-buffer", "js-heap"],
)
async def test_two_gigabytes_is_a_memory_limit(sandbox: Sandbox, language: str, code: str) -> None:
    r = await sandbox.run(language, code, limits={"memory_mb": 256, "wall_s": 10})
    assert r.error_kind == "memory_limit", r
    assert r.stdout == ""


@pytest.mark.parametrize(
    ("language", "code"),
    [
        ("python", "while True:\n    pass"),
        ("python", "import time\ntime.sleep(10 ** 6)"),
        ("javascript", "for (;;) {}"),
        ("javascript", "setTimeout(() => {}, 1e9)"),
    ],
    ids=["py-cpu", "py-sleep", "js-cpu", "js-sleep"],
)
async def test_endless_programs_time_out(sandbox: Sandbox, language: str, code: str) -> None:
    r = await sandbox.run(language, code, limits=SHORT)
    assert r.error_kind == "timeout", r
    assert 1400 <= r.time_ms < 4000


@pytest.mark.parametrize(
    ("language", "code"),
    [
        ("python", "import sys\nsys.stdout.write('x' * 100_000_000)"),
        ("python", "while True:\n    print('y' * 1000)"),
        ("javascript", "process.stdout.write('x'.repeat(100e6))"),
        ("javascript", "for (;;) console.error('y'.repeat(1000))"),
    ],
    ids=["py-one-write", "py-loop", "js-one-write", "js-stderr-loop"],
)
async def test_output_flood_is_an_output_limit(sandbox: Sandbox, language: str, code: str) -> None:
    r = await sandbox.run(language, code, limits={"output_kb": 1024, "wall_s": 10})
    assert r.error_kind == "output_limit", r
    assert r.truncated
    assert len(r.stdout) + len(r.stderr) <= 1024 * 1024


async def test_disk_fill_is_bounded(sandbox: Sandbox) -> None:
    before = os.statvfs("/").f_bavail
    big = await sandbox.run(
        "python",
        "with open('/work/fill', 'wb') as f:\n    while True:\n        f.write(b'0' * 65536)",
        limits={"file_mb": 8},
    )
    many = await sandbox.run(
        "python",
        "i = 0\nwhile True:\n    open(f'/tmp/f{i}', 'wb').write(b'0' * (4 << 20)); i += 1",
        limits={"file_mb": 8},
    )
    js = await sandbox.run(
        "javascript",
        "const fs = require('fs'); const fd = fs.openSync('/work/fill', 'w');"
        " const b = Buffer.alloc(65536); for (;;) fs.writeSync(fd, b);",
        limits={"file_mb": 8},
    )
    assert big.error_kind == "runtime_error", big
    assert "File too large" in big.stderr
    assert many.error_kind == "runtime_error", many
    assert "No space left" in many.stderr
    assert js.error_kind == "runtime_error", js
    assert abs(os.statvfs("/").f_bavail - before) * os.statvfs("/").f_frsize < 64 << 20


async def test_ptrace_unshare_mount_are_denied(sandbox: Sandbox) -> None:
    py = await sandbox.run(
        "python",
        "import ctypes, subprocess\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "calls = {\n"
        "    'ptrace': lambda: libc.ptrace(16, 1, 0, 0),\n"
        "    'unshare': lambda: libc.unshare(0x10000000),\n"
        "    'unshare-net': lambda: libc.unshare(0x40000000),\n"
        "    'mount': lambda: libc.mount(b'none', b'/tmp', b'tmpfs', 0, None),\n"
        "    'setns': lambda: libc.setns(0, 0),\n"
        "}\n"
        "for name, call in calls.items():\n"
        "    print(name, 'ESCAPED' if call() == 0 else 'denied', ctypes.get_errno())\n"
        "for argv in (['unshare', '-r', 'true'], ['unshare', '-n', 'true'],\n"
        "             ['mount', '-t', 'tmpfs', 'none', '/tmp']):\n"
        "    rc = subprocess.run(argv, capture_output=True).returncode\n"
        "    print(argv[0], 'ESCAPED' if rc == 0 else 'denied')\n",
    )
    js = await sandbox.run(
        "javascript",
        "const {spawnSync} = require('child_process');"
        " for (const argv of [['unshare', '-r', 'true'],"
        "                     ['mount', '-t', 'tmpfs', 'none', '/tmp']]) {"
        "  const r = spawnSync(argv[0], argv.slice(1));"
        "  console.log(argv[0], r.status === 0 ? 'ESCAPED' : 'denied'); }",
    )
    for r in (py, js):
        assert r.error_kind is None, r
        assert "ESCAPED" not in r.stdout
    assert py.stdout.count("denied") == 8
    assert js.stdout.count("denied") == 2


async def test_server_environment_is_invisible(monkeypatch) -> None:
    secret = "sk-" + uuid.uuid4().hex
    monkeypatch.setenv("INTERVIEW_SANDBOX_SECRET", secret)
    monkeypatch.setenv("GOOGLE_API_KEY", secret)
    config = SandboxConfig(
        backend="local",
        max_concurrency=1,
        cgroup_name="interview-sandbox-test-env",
        uid_base=TEST_UID_BASE + 100,
    )
    sb = Sandbox(config)  # started after the secret was set
    try:
        py = await sb.run(
            "python",
            "import os, glob\n"
            "print(dict(os.environ))\n"
            "for p in glob.glob('/proc/*/environ') + glob.glob('/proc/*/cmdline'):\n"
            "    try:\n"
            "        print(p, open(p, 'rb').read())\n"
            "    except OSError as e:\n"
            "        print(p, e)\n",
        )
        js = await sb.run(
            "javascript",
            "const fs = require('fs'); console.log(JSON.stringify(process.env));"
            " for (const p of fs.readdirSync('/proc').filter((d) => /^\\d+$/.test(d)))"
            "  console.log(p, fs.readFileSync(`/proc/${p}/environ`, 'latin1'));",
        )
    finally:
        sb.close()
    for r in (py, js):
        assert r.error_kind is None, r
        assert secret not in r.stdout + r.stderr
    assert "/proc/1/environ b''" in py.stdout


QUESTION = {
    "slug": "add",
    "entry_point": {"python": "add", "javascript": "add"},
    "compare": "exact",
    "tests": [{"args": [1, 2], "expected": 3}, {"args": [5, 5], "expected": 10}],
}


async def test_forged_verdicts_do_not_pass(sandbox: Sandbox) -> None:
    py_code = """
import gc, json, os, sys, builtins
print('{"status": "accepted", "passed": 2, "total": 2}')
sys.__stdout__.write('ACCEPTED\\n')
json.dumps = lambda *a, **k: '3'
builtins.print = lambda *a, **k: None
for fd in range(3, 12):
    try:
        os.write(fd, b'\\n{"n":"guess","k":"result","i":0,"ok":true,"a":3}\\n')
    except OSError:
        pass
reporter = next(o for o in gc.get_objects() if type(o).__name__ == '_Reporter')
for i in range(2):
    reporter.record(k='result', i=i, ok=True, a=42, ms=0, kb=0)
reporter.record(k='done')

def add(a, b):
    os._exit(0)
"""
    js_code = """
const fs = require('fs');
process.stdout.write('{"status": "accepted", "passed": 2}\\n');
for (let fd = 1; fd < 12; fd++) {
  try { fs.writeSync(fd, '\\n{"n":"guess","k":"result","i":0,"ok":true,"a":3}\\n'); } catch (e) {}
}
JSON.stringify = () => '3';
function add(a, b) { return -1; }
"""
    for language, code in (("python", py_code), ("javascript", js_code)):
        v = await sandbox.judge(language, code, QUESTION)
        assert v.status != "accepted", v
        assert v.passed == 0, v
        assert all(t.error_kind in ("wrong_answer", "runtime_error") for t in v.tests), v


async def test_expected_values_never_enter_the_jail(sandbox: Sandbox) -> None:
    secret = "expected-" + uuid.uuid4().hex
    question = {"entry_point": {"python": "peek"}, "tests": [{"args": [], "expected": secret}]}
    code = (
        "import gc, sys\n"
        "def peek():\n"
        "    seen = [o for o in gc.get_objects() if isinstance(o, str) and 'expected-' in o]\n"
        "    raw = open('/proc/self/cmdline', 'rb').read() + sys.stdin.buffer.read()\n"
        "    return 'found' if seen or b'expected-' in raw else 'not found'\n"
    )
    v = await sandbox.judge("python", code, question)
    assert v.tests[0].actual == "not found"
    assert v.tests[0].error_kind == "wrong_answer"
