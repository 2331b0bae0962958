import { Link } from "react-router";
import { formatClock } from "../format.js";

function evidenceLabel(ev) {
  if (ev.kind === "snapshot") return `Whiteboard ${ev.ref}`;
  if (ev.kind === "submission") return "Submission";
  return ev.speaker === "agent" ? "Interviewer" : "You";
}

/** The rubric: weight, score, one-line justification, and evidence that opens the replay. */
export default function RubricTable({ interviewId, rubric }) {
  return (
    <div className="table-wrap">
      <table className="rubric" data-testid="rubric">
        <thead>
          <tr>
            <th scope="col">Criterion</th>
            <th scope="col">Weight</th>
            <th scope="col">Score</th>
            <th scope="col">Why</th>
            <th scope="col">Evidence</th>
          </tr>
        </thead>
        <tbody>
          {rubric.map((r) => (
            <tr key={r.criterion} data-criterion={r.criterion}>
              <th scope="row">{r.name || r.criterion}</th>
              <td>{Math.round(r.weight * 100)}%</td>
              <td className="num">
                <strong>{r.score}</strong>
                <span className="muted">/5</span>
              </td>
              <td>{r.justification}</td>
              <td>
                {r.evidence.length === 0 && <span className="muted">—</span>}
                <ul className="evidence">
                  {r.evidence.map((ev) => (
                    <li key={`${ev.kind}:${ev.ref}`}>
                      <Link
                        to={`/interviews/${interviewId}/replay?t=${ev.at_s}`}
                        className="evidence-item"
                        data-testid="evidence-item"
                        data-at={ev.at_s}
                        title={ev.quote || ""}
                      >
                        <span className="ev-time">{formatClock(ev.at_s)}</span> {evidenceLabel(ev)}
                        {ev.quote && ev.kind === "transcript" && <span className="ev-quote">“{ev.quote}”</span>}
                      </Link>
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
