import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../../api.js";
import { STATUS } from "../../call/callReducer.js";
import LiveSession from "../LiveSession.jsx";
import CodeEditor from "./CodeEditor.jsx";
import QuestionPanel from "./QuestionPanel.jsx";
import TestResults from "./TestResults.jsx";
import { LANGUAGES, MAX_CODE_BYTES, codeBytes, useCodeDraft } from "./useCodeDraft.js";

const QUESTION_POLL_MS = 1000;

function runError(err) {
  if (err.status === 429) {
    return { code: "busy", message: "The code runners are busy right now. Try again in a few seconds." };
  }
  if (err.status === 503) {
    return { code: "unavailable", message: "Code can't run right now: the sandbox is unavailable." };
  }
  return { code: err.code, message: err.message || "The run failed." };
}

/**
 * The room for a coding interview: the question on the left, the editor with Run / Submit and
 * the per-test results in the middle, and the call (video, captions, typed answers) at the
 * side, so the conversation goes on while the candidate codes.
 */
export default function CodingRoom({ interview, call, asked, phase, reload }) {
  const slug = interview.question_id;
  const [question, setQuestion] = useState(null);
  const [questionError, setQuestionError] = useState(null);
  const { state, send } = call;
  const live = state.status === STATUS.LIVE;

  // The interviewer picks the question when the call starts: wait for it to be recorded.
  useEffect(() => {
    if (slug || !live) return undefined;
    const timer = setInterval(reload, QUESTION_POLL_MS);
    return () => clearInterval(timer);
  }, [slug, live, reload]);

  useEffect(() => {
    if (!slug) return undefined;
    let cancelled = false;
    setQuestionError(null);
    api
      .getQuestion(slug)
      .then((q) => !cancelled && setQuestion(q))
      .catch((err) => !cancelled && setQuestionError(err.message));
    return () => {
      cancelled = true;
    };
  }, [slug]);

  return (
    <div className="coding-room" data-testid="coding-room">
      <div className="coding-left">
        {question ? (
          <QuestionWork
            interview={interview}
            question={question}
            asked={asked}
            send={send}
            channelOpen={!!state.channelOpen}
          />
        ) : (
          <div className="card coding-waiting" data-testid="question-waiting">
            {questionError ? (
              <p className="form-error">Could not load the question: {questionError}</p>
            ) : slug ? (
              <p className="muted">Loading the question…</p>
            ) : (
              <>
                <h2>Your coding question</h2>
                <p className="muted">
                  Join the call: your interviewer picks a problem, and the editor opens here with it. You can talk or
                  type your answers at any time.
                </p>
              </>
            )}
          </div>
        )}
      </div>
      <aside className="coding-side" aria-label="Call">
        <LiveSession call={call} phase={phase} />
      </aside>
    </div>
  );
}

function QuestionWork({ interview, question, asked, send, channelOpen }) {
  const draft = useCodeDraft(interview.id, question, send, channelOpen);
  const [hintsShown, setHintsShown] = useState(0);
  const [running, setRunning] = useState(null); // "run" | "submit" | null
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const [pendingLanguage, setPendingLanguage] = useState(null);
  const editorRef = useRef(null);
  const tooLong = codeBytes(draft.code) > MAX_CODE_BYTES;

  const takeHint = useCallback(
    (index) => {
      setHintsShown(index + 1);
      send({ type: "code.hint", index, question_slug: question.slug });
    },
    [send, question.slug],
  );

  async function judge(kind) {
    setRunning(kind);
    setError(null);
    const body = { language: draft.language, code: draft.code, question_slug: question.slug };
    try {
      const out = kind === "submit" ? await api.submitCode(interview.id, body) : await api.runCode(interview.id, body);
      setResult({ ...out, kind });
    } catch (err) {
      setError(runError(err));
    } finally {
      setRunning(null);
    }
  }

  function chooseLanguage(next) {
    if (next === draft.language) return;
    if (draft.edited) setPendingLanguage(next);
    else draft.switchLanguage(next);
  }

  const languageName = (id) => LANGUAGES.find((l) => l.id === id)?.label ?? id;

  return (
    <>
      <QuestionPanel question={question} asked={asked} hintsShown={hintsShown} onHint={takeHint} />
      <section className="coding-work" aria-label="Your solution">
        <div className="editor-toolbar">
          <label className="language-pick">
            Language{" "}
            <select
              value={draft.language}
              onChange={(e) => chooseLanguage(e.target.value)}
              disabled={!draft.ready || !!running}
              data-testid="language"
            >
              {LANGUAGES.map((l) => (
                <option key={l.id} value={l.id}>
                  {l.label}
                </option>
              ))}
            </select>
          </label>
          <span className="toolbar-gap" />
          <button
            type="button"
            className="button small"
            onClick={() => {
              if (!window.confirm("Replace your code with the starting template?")) return;
              draft.resetToTemplate();
              editorRef.current?.setValue(question.templates?.[draft.language] ?? "");
            }}
            disabled={!draft.ready || !draft.edited || !!running}
            data-testid="reset-code"
          >
            Reset
          </button>
          <button
            type="button"
            className="button"
            onClick={() => judge("run")}
            disabled={!draft.ready || !!running || tooLong}
            data-testid="run"
          >
            {running === "run" ? "Running…" : "Run"}
          </button>
          <button
            type="button"
            className="button primary"
            onClick={() => judge("submit")}
            disabled={!draft.ready || !!running || tooLong}
            data-testid="submit"
          >
            {running === "submit" ? "Submitting…" : "Submit"}
          </button>
        </div>
        {pendingLanguage && (
          <div className="confirm-bar" role="alertdialog" data-testid="language-confirm">
            <span>
              Switch to {languageName(pendingLanguage)}? Your {languageName(draft.language)} code is kept and comes back
              if you switch again.
            </span>
            <button
              type="button"
              className="button small primary"
              onClick={() => {
                draft.switchLanguage(pendingLanguage);
                setPendingLanguage(null);
              }}
              data-testid="language-confirm-yes"
            >
              Switch
            </button>
            <button type="button" className="button small" onClick={() => setPendingLanguage(null)}>
              Cancel
            </button>
          </div>
        )}
        {tooLong && (
          <p className="form-error" role="alert">
            Your code is over {MAX_CODE_BYTES / 1024} KB; shorten it to run it.
          </p>
        )}
        {draft.ready ? (
          <CodeEditor
            language={draft.language}
            value={draft.code}
            onChange={draft.setCode}
            onReady={(editor) => {
              editorRef.current = editor;
            }}
          />
        ) : (
          <div className="editor-frame">
            <p className="muted editor-loading">Restoring your code…</p>
          </div>
        )}
        <TestResults result={result} running={running} error={error} />
      </section>
    </>
  );
}
