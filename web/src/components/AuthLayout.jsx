// Centered card used by the log-in and sign-up pages.
export default function AuthLayout({ title, subtitle, children, footer }) {
  return (
    <main className="auth-screen">
      <div className="brand brand-large">
        <span className="brand-mark">IA</span> Interview Agent
      </div>
      <div className="card auth-card">
        <h1>{title}</h1>
        {subtitle && <p className="muted">{subtitle}</p>}
        {children}
      </div>
      {footer && <p className="auth-footer">{footer}</p>}
    </main>
  );
}
