import { statusName } from "../format.js";

export default function StatusBadge({ status }) {
  return (
    <span className={`status status-${status || "unknown"}`} data-testid="status" data-status={status}>
      {statusName(status)}
    </span>
  );
}
