/** Dismissable error notice. */
export default function Notice({ notice, onDismiss }) {
  if (!notice) return null;
  return (
    <div className="notice" role="alert" data-testid="error" data-code={notice.code || undefined}>
      <span className="notice-text">{notice.message}</span>
      <button type="button" className="notice-close" onClick={onDismiss} aria-label="Dismiss" data-testid="error-dismiss">
        ×
      </button>
    </div>
  );
}
