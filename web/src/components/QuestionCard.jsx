import { useEffect, useState } from "react";
import { api } from "../api.js";
import Markdown from "./Markdown.jsx";

/**
 * The interview's question, kept on screen from the moment it is asked: the full prompt for
 * system design; for coding, the bank's description with its examples and constraints.
 * `question` is {id, title, text, type} (from `session.state` or the interview record).
 */
export default function QuestionCard({ question }) {
  const [detail, setDetail] = useState(null); // {id, description} once loaded
  const coding = question.type === "coding";
  const id = question.id;

  useEffect(() => {
    if (!coding || !id) return undefined;
    let cancelled = false;
    api
      .getQuestion(id)
      .then((d) => !cancelled && setDetail({ id, description: d.description, title: d.title }))
      .catch(() => {}); // the spoken text below still stands
    return () => {
      cancelled = true;
    };
  }, [coding, id]);

  const full = detail && detail.id === id ? detail : null;
  const title = question.title || full?.title;
  return (
    <section className="card question question-card" data-testid="question-card" aria-label="Interview question">
      <h2 className="sub-head">Question{title ? ` · ${title}` : ""}</h2>
      {full ? (
        <Markdown text={full.description} className="question-body" />
      ) : (
        <p className="question-body" data-testid="question-text">
          {question.text}
        </p>
      )}
    </section>
  );
}
