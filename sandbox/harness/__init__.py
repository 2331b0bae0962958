"""Sources of the in-jail programs: the judge harnesses and the plain-run bootstraps.

They are passed on the command line (`python3 -c`, `node -e`), so no host file has to be
mounted into the jail and the Docker backend can use them unchanged.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from sandbox.harness.javascript import HARNESS as JAVASCRIPT_HARNESS

# Exit status the run bootstraps use for code that does not compile.
COMPILE_ERROR_EXIT = 97

# `python3 -I -S` skips site.py (a few ms), which also defines exit()/quit(): put them back,
# compile the program as main.py so tracebacks read naturally, and tell a syntax error apart.
PYTHON_RUN_BOOT = f"""\
import sys, builtins
builtins.exit = builtins.quit = sys.exit
_src = sys.argv.pop(1)
try:
    _code = compile(_src, "main.py", "exec")
except (SyntaxError, ValueError) as _e:
    import traceback
    sys.stderr.write("".join(traceback.format_exception_only(_e)))
    sys.exit({COMPILE_ERROR_EXIT})
del builtins, _src
exec(_code, {{"__name__": "__main__", "__builtins__": __builtins__}})
"""

# Same for node: compile as main.js first; the wrapper keeps its names out of the global scope.
# stdout/stderr become synchronous writes: node queues pipe writes in memory when the pipe is
# full and a busy loop never lets them drain, so a flood would end as an out-of-memory crash
# instead of reaching the parent's output cap.
JAVASCRIPT_RUN_BOOT = f"""\
(() => {{
  const fs = require('fs');
  const syncWrite = (fd) => function (chunk, encoding, callback) {{
    const buf = typeof chunk === 'string'
      ? Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8') : chunk;
    let off = 0;
    while (off < buf.length) {{
      try {{ off += fs.writeSync(fd, buf, off); }} catch (e) {{ if (e.code !== 'EAGAIN') throw e; }}
    }}
    const cb = typeof encoding === 'function' ? encoding : callback;
    if (typeof cb === 'function') process.nextTick(cb);
    return true;
  }};
  process.stdout.write = syncWrite(1);
  process.stderr.write = syncWrite(2);
  const src = process.argv.splice(1, 1)[0];
  let script;
  try {{
    script = new (require('vm').Script)(src, {{filename: 'main.js'}});
  }} catch (e) {{
    process.stderr.write(String(e && e.stack || e) + '\\n');
    process.exit({COMPILE_ERROR_EXIT});
  }}
  script.runInThisContext();
}})();
"""


@cache
def python_harness() -> str:
    return (Path(__file__).with_name("python_harness.py")).read_text()


def javascript_harness() -> str:
    return JAVASCRIPT_HARNESS


@cache
def java_harness() -> str:
    """Harness.java: judge harness and run bootstrap in one class (see its header)."""
    return (Path(__file__).with_name("Harness.java")).read_text()


# The source launcher needs a file: the jail's `sh` writes the harness into the private /work
# tmpfs, then becomes the JVM (`$1` is the harness source, the rest is the java command line).
JAVA_BOOT = 'printf "%s" "$1" > Harness.java || exit 125; shift; exec "$@"'
