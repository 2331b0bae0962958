import Editor from "@monaco-editor/react";
import "./monaco.js";

const OPTIONS = {
  fontSize: 14,
  minimap: { enabled: false },
  scrollBeyondLastLine: false,
  automaticLayout: true,
  tabSize: 4,
  renderWhitespace: "selection",
  wordWrap: "off",
  // Typing should type: no auto-inserted brackets or quotes to fight with.
  autoClosingBrackets: "never",
  autoClosingQuotes: "never",
  autoClosingOvertype: "never",
  autoSurround: "never",
  autoIndent: "keep",
  formatOnType: false,
  quickSuggestions: false,
  suggestOnTriggerCharacters: false,
  acceptSuggestionOnEnter: "off",
  acceptSuggestionOnCommitCharacter: false,
  wordBasedSuggestions: "off",
  parameterHints: { enabled: false },
};

/**
 * Monaco, bundled (see monaco.js), with one model per language so undo stays per language.
 * Uncontrolled: the editor owns the text and reports changes. Feeding React's copy back in as
 * `value` races with typing (a render that lags a keystroke puts the old text back, and the
 * keystroke is lost); `onReady(editor)` gives the one place that replaces text (Reset).
 */
export default function CodeEditor({ language, value, onChange, onReady, readOnly }) {
  return (
    <div className="editor-frame" data-testid="editor" data-language={language}>
      <Editor
        height="100%"
        language={language}
        path={`solution.${language}`}
        defaultValue={value}
        onChange={onChange}
        onMount={(editor) => onReady?.(editor)}
        theme="vs"
        options={{ ...OPTIONS, readOnly }}
        loading={<p className="muted editor-loading">Loading the editor…</p>}
      />
    </div>
  );
}
