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

/** Monaco, bundled (see monaco.js), with one model per language so undo stays per language. */
export default function CodeEditor({ language, value, onChange, readOnly }) {
  return (
    <div className="editor-frame" data-testid="editor" data-language={language}>
      <Editor
        height="100%"
        language={language}
        path={`solution.${language}`}
        value={value}
        onChange={onChange}
        theme="vs"
        options={{ ...OPTIONS, readOnly }}
        loading={<p className="muted editor-loading">Loading the editor…</p>}
      />
    </div>
  );
}
