import { useState } from "react";

export const MAX_TYPED_CHARS = 4000;

/**
 * A text box for answering by typing instead of speaking (code snippets, numbers, or a
 * quiet room). `onSend(text)` returns false when the message could not be sent; the text
 * is then kept so nothing is lost. The answer shows up in the captions once the server
 * has it, like spoken words do.
 */
export default function TypedAnswer({ onSend, disabled }) {
  const [text, setText] = useState("");
  const [failed, setFailed] = useState(false);
  const trimmed = text.trim();

  function submit(e) {
    e.preventDefault();
    if (!trimmed || disabled) return;
    if (onSend(trimmed) === false) {
      setFailed(true);
      return;
    }
    setFailed(false);
    setText("");
  }

  function onKeyDown(e) {
    // Enter sends; Shift+Enter adds a line.
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) submit(e);
  }

  return (
    <form className="typed-answer" onSubmit={submit} data-testid="typed-answer-form">
      <label className="sr-only" htmlFor="typed-answer">
        Type an answer
      </label>
      <textarea
        id="typed-answer"
        rows={2}
        value={text}
        maxLength={MAX_TYPED_CHARS}
        placeholder={disabled ? "Join the interview to type an answer" : "Type an answer… (Enter to send)"}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKeyDown}
        disabled={disabled}
        data-testid="typed-answer"
      />
      <button type="submit" className="button primary" disabled={disabled || !trimmed} data-testid="send-typed">
        Send
      </button>
      {failed && (
        <p className="typed-error small-text" role="alert">
          Not sent — the connection is not open. Try again in a moment.
        </p>
      )}
    </form>
  );
}
