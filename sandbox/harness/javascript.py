"""Judge harness for JavaScript, run inside the jail by `node -e <HARNESS> REPORT_FD`.

Kept as a Python string so it ships with the package like any module. Same protocol as
`python_harness.py`: payload on stdin, one nonce-framed JSON record per test on the report fd,
actual values only (the parent compares). It is wrapped in a function so its own names stay out
of the global scope that the candidate's script shares.
"""

HARNESS = r"""
(async () => {
  'use strict';
  const fs = require('fs');
  const vm = require('vm');
  const util = require('util');
  const stringify = JSON.stringify;
  const writeSync = fs.writeSync;
  const hrtime = process.hrtime.bigint;
  const exit = process.reallyExit ? process.reallyExit.bind(process) : process.exit.bind(process);
  const maxRss = () => process.resourceUsage().maxRSS;
  const reportFd = Number(process.argv[1]);
  const payload = JSON.parse(fs.readFileSync(0, 'utf8'));
  const head = '\n{"n":' + stringify(payload.nonce);
  const send = (body) => {
    let buf = Buffer.from(head + ',' + body + '}\n', 'utf8');
    while (buf.length > 0) {
      let n;
      try { n = writeSync(reportFd, buf); } catch (e) {
        if (e.code === 'EAGAIN') continue;
        exit(3);
      }
      buf = buf.subarray(n);
    }
  };
  const record = (fields) => send(stringify(fields).slice(1, -1));
  const outCap = payload.out_cap, keep = payload.keep, actualCap = payload.actual_cap;
  const code = payload.code, entry = payload.entry, tests = payload.tests;
  let used = 0, current = -1;

  const overflow = () => {
    const msg = 'output limit exceeded (' + outCap + ' bytes)';
    if (current < 0) record({k: 'load_error', error: 'output_limit', err: msg});
    else record({k: 'result', i: current, ok: false, error: 'output_limit', err: msg});
    exit(0);
  };
  const sink = () => {
    const s = {parts: [], kept: 0};
    s.write = (chunk, enc, cb) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      used += text.length;
      if (used > outCap) overflow();
      if (s.kept < keep) {
        const piece = text.slice(0, keep - s.kept);
        s.parts.push(piece);
        s.kept += piece.length;
      }
      if (typeof enc === 'function') enc(); else if (typeof cb === 'function') cb();
      return true;
    };
    s.take = () => { const t = s.parts.join(''); s.parts = []; s.kept = 0; return t; };
    return s;
  };
  const out = sink(), err = sink();
  process.stdout.write = out.write;
  process.stderr.write = err.write;
  const toOut = (...a) => out.write(util.format(...a) + '\n');
  const toErr = (...a) => err.write(util.format(...a) + '\n');
  console.log = console.info = console.debug = toOut;
  console.error = console.warn = console.trace = toErr;

  const describe = (e) => {
    if (e instanceof Error && typeof e.stack === 'string') {
      const lines = e.stack.split('\n');
      const keepLines = lines.filter((l) => !/^\s+at /.test(l) || l.includes('solution.js'));
      return keepLines.join('\n') + '\n';
    }
    try {
      return 'Uncaught ' + util.inspect(e) + '\n';
    } catch (_) {
      return 'Uncaught exception\n';
    }
  };
  const oomText = /allocation failed|out of memory/i;
  const kindOf = (e) => (e instanceof RangeError && oomText.test(String(e.message)))
    ? 'memory_limit' : 'runtime_error';
  const replacer = (k, v) => {
    if (typeof v === 'bigint') throw new TypeError('return value contains a BigInt');
    if (v instanceof Set) return Array.from(v);
    if (v instanceof Map) return Object.fromEntries(v);
    if (ArrayBuffer.isView(v)) return Array.from(v);
    return v;
  };

  let script;
  try {
    script = new vm.Script(code, {filename: 'solution.js'});
  } catch (e) {
    record({k: 'compile_error', err: describe(e)});
    exit(0);
  }
  try {
    script.runInThisContext();
  } catch (e) {
    record({k: 'load_error', error: kindOf(e), err: err.take() + describe(e)});
    exit(0);
  }
  let fn;
  try { fn = vm.runInThisContext(entry); } catch (_) { fn = undefined; }
  if (typeof fn !== 'function' && globalThis.module && globalThis.module.exports) {
    const ex = globalThis.module.exports;
    fn = typeof ex === 'function' ? ex : ex[entry];
  }
  if (typeof fn !== 'function') {
    record({k: 'compile_error', err: 'solution.js must define a function named ' + entry + '\n'});
    exit(0);
  }
  record({k: 'ready'});  // the parent timestamps its arrival: test 0 starts here

  for (let i = 0; i < tests.length; i++) {
    current = i;
    out.take(); err.take();
    const t0 = hrtime();
    let actual;
    try {
      let value = fn(...tests[i]);
      if (value !== null && typeof value === 'object' && typeof value.then === 'function') {
        value = await value;
      }
      const ms = Number(hrtime() - t0) / 1e6;
      actual = stringify(value === undefined ? null : value, replacer);
      if (actual === undefined) actual = 'null';
      if (actual.length > actualCap) {
        record({k: 'result', i, ok: false, error: 'output_limit', ms, kb: maxRss(),
                err: 'return value larger than ' + actualCap + ' bytes'});
        continue;
      }
      const meta = stringify(
        {k: 'result', i, ok: true, ms, kb: maxRss(), out: out.take(), err: err.take()});
      send(meta.slice(1, -1) + ',"a":' + actual);
    } catch (e) {
      const ms = Number(hrtime() - t0) / 1e6;
      record({k: 'result', i, ok: false, error: kindOf(e), ms, kb: maxRss(),
              out: out.take(), err: err.take() + describe(e)});
    }
  }
  record({k: 'done'});
  exit(0);
})();
"""
