const STATUS_TEXT = {
  accepted: "All tests passed",
  wrong_answer: "Wrong answer",
  runtime_error: "Runtime error",
  timeout: "Time limit exceeded",
  memory_limit: "Memory limit exceeded",
  output_limit: "Output limit exceeded",
  compile_error: "Compile error",
};
const KIND_TEXT = { ...STATUS_TEXT, wrong_answer: "Wrong answer" };

const show = (value) => (value === undefined ? "—" : JSON.stringify(value));

function TestRow({ test }) {
  const failed = !test.passed;
  return (
    <li className={`test-row ${failed ? "fail" : "pass"}`} data-testid={`test-${test.index}`} data-passed={String(test.passed)}>
      <div className="test-line">
        <span className="test-mark" aria-hidden="true">
          {test.passed ? "✓" : "✗"}
        </span>
        <span className="test-name">{test.hidden ? `Hidden test ${test.index + 1}` : `Test ${test.index + 1}`}</span>
        <span className="test-meta">
          {test.passed ? "passed" : KIND_TEXT[test.error_kind] || "failed"}
          {!test.hidden && ` · ${test.time_ms} ms · ${Math.round(test.memory_kb / 1024)} MB`}
        </span>
      </div>
      {!test.hidden && (
        <dl className="test-detail">
          <dt>Input</dt>
          <dd>
            <code>{(test.args || []).map((a) => JSON.stringify(a)).join(", ")}</code>
          </dd>
          <dt>Expected</dt>
          <dd>
            <code data-testid={`expected-${test.index}`}>{show(test.expected)}</code>
          </dd>
          {failed && test.error_kind === "wrong_answer" && (
            <>
              <dt>Actual</dt>
              <dd>
                <code data-testid={`actual-${test.index}`}>{show(test.actual)}</code>
              </dd>
            </>
          )}
        </dl>
      )}
      {!test.hidden && test.stdout && (
        <details>
          <summary>Output</summary>
          <pre>{test.stdout}</pre>
        </details>
      )}
      {failed && test.stderr && test.error_kind !== "compile_error" && <pre className="stderr">{test.stderr}</pre>}
    </li>
  );
}

/** The last run or submission, per test; hidden tests show pass/fail only. */
export default function TestResults({ result, running, error }) {
  if (running) {
    return (
      <div className="results card" data-testid="results" aria-busy="true">
        <p className="muted">{running === "submit" ? "Judging against all tests…" : "Running the visible tests…"}</p>
      </div>
    );
  }
  if (error) {
    return (
      <div className="results card" data-testid="results">
        <p className="form-error" role="alert" data-testid="run-error" data-code={error.code}>
          {error.message}
        </p>
      </div>
    );
  }
  if (!result) {
    return (
      <div className="results card empty" data-testid="results">
        <p className="muted">Run your code to see the visible tests here; Submit judges it against every test.</p>
      </div>
    );
  }
  const accepted = result.status === "accepted";
  return (
    <div className="results card" data-testid="results" data-status={result.status} data-kind={result.kind}>
      <p className={`results-summary ${accepted ? "ok" : "bad"}`} data-testid="results-summary">
        <strong>{STATUS_TEXT[result.status] || result.status}</strong> · {result.passed}/{result.total} tests passed
        {result.kind === "submit" ? " (submission)" : " (visible tests)"}
        {result.time_ms > 0 && ` · slowest ${result.time_ms} ms`}
      </p>
      {result.status === "compile_error" && (
        <pre className="stderr" data-testid="compile-output">
          {result.compile_output}
        </pre>
      )}
      {result.status !== "compile_error" && (
        <ol className="tests">
          {result.tests.map((t) => (
            <TestRow key={t.index} test={t} />
          ))}
        </ol>
      )}
    </div>
  );
}
