// Monaco from the bundle, never from a CDN: @monaco-editor/react's loader would otherwise
// fetch the editor from jsdelivr. Vite bundles the editor and builds its workers from these
// `?worker` imports, so the coding room works with no internet.
import { loader } from "@monaco-editor/react";
import * as monaco from "monaco-editor";
import EditorWorker from "monaco-editor/editor/editor.worker?worker";
import TsWorker from "monaco-editor/language/typescript/ts.worker?worker";

self.MonacoEnvironment = {
  getWorker(_id, label) {
    return label === "typescript" || label === "javascript" ? new TsWorker() : new EditorWorker();
  },
};

loader.config({ monaco });

export { monaco };
