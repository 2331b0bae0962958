// The candidate's code for one interview: one draft per language, kept in localStorage at
// every change (so a reload restores it at once) and sent to the live session as
// `code.update` about once a second while it changes (so the interviewer can read it, and the
// server keeps the latest for another device or a cleared browser).
import { useCallback, useEffect, useRef, useState } from "react";
import { api } from "../../api.js";

export const LANGUAGES = [
  { id: "python", label: "Python" },
  { id: "javascript", label: "JavaScript" },
  { id: "java", label: "Java" },
];
export const MAX_CODE_BYTES = 64 * 1024;
const UPDATE_DEBOUNCE_MS = 1000;

const storageKey = (interviewId) => `interview-agent.code.${interviewId}`;

function readStored(interviewId) {
  try {
    const data = JSON.parse(localStorage.getItem(storageKey(interviewId)) || "null");
    return data && typeof data === "object" && data.drafts ? data : null;
  } catch {
    return null;
  }
}

export function codeBytes(code) {
  return new TextEncoder().encode(code).length;
}

/**
 * useCodeDraft(interviewId, question, send, channelOpen) →
 *   {ready, language, code, setCode, switchLanguage, resetToTemplate, edited}
 * `send(event)` is the call's data-channel sender (false while it is closed).
 */
export function useCodeDraft(interviewId, question, send, channelOpen) {
  const [draft, setDraft] = useState(null); // {language, drafts: {lang: code}}
  const sentRef = useRef({ language: null, code: null });
  const slug = question?.slug;

  // Restore: this browser's copy first, else the server's latest, else the templates.
  useEffect(() => {
    if (!question) return undefined;
    let cancelled = false;
    const stored = readStored(interviewId);
    if (stored && stored.slug === question.slug) {
      setDraft({ language: stored.language, drafts: stored.drafts });
      return undefined;
    }
    api
      .getLatestCode(interviewId)
      .catch(() => null)
      .then((latest) => {
        if (cancelled) return;
        const drafts = {};
        if (latest?.code && latest.question_slug === question.slug) drafts[latest.language] = latest.code;
        const language = latest?.code ? latest.language : "python";
        setDraft({ language, drafts });
      });
    return () => {
      cancelled = true;
    };
  }, [interviewId, question]);

  const language = draft?.language ?? "python";
  const template = question?.templates?.[language] ?? "";
  const code = draft ? (draft.drafts[language] ?? template) : "";

  // Every change is saved locally at once.
  useEffect(() => {
    if (!draft || !slug) return;
    try {
      localStorage.setItem(storageKey(interviewId), JSON.stringify({ slug, ...draft }));
    } catch {
      // storage full or disabled: the server still has the latest
    }
  }, [draft, interviewId, slug]);

  // And reaches the session about once a second (and when the channel (re)opens).
  useEffect(() => {
    if (!draft || !slug || !channelOpen) return undefined;
    const sent = sentRef.current;
    if (sent.language === language && sent.code === code) return undefined;
    if (codeBytes(code) > MAX_CODE_BYTES) return undefined;
    const timer = setTimeout(() => {
      if (send({ type: "code.update", language, code, question_slug: slug })) {
        sentRef.current = { language, code };
      }
    }, UPDATE_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [draft, language, code, slug, channelOpen, send]);

  const setCode = useCallback(
    (value) => setDraft((d) => (d ? { ...d, drafts: { ...d.drafts, [d.language]: value ?? "" } } : d)),
    [],
  );
  const switchLanguage = useCallback((next) => setDraft((d) => (d ? { ...d, language: next } : d)), []);
  const resetToTemplate = useCallback(
    () =>
      setDraft((d) => {
        if (!d) return d;
        const drafts = { ...d.drafts };
        delete drafts[d.language];
        return { ...d, drafts };
      }),
    [],
  );

  return {
    ready: !!draft,
    language,
    code,
    setCode,
    switchLanguage,
    resetToTemplate,
    edited: code !== template,
  };
}
