import { useEffect, useState } from "react";
import { api } from "../api.js";
import { useAuth } from "../auth.jsx";
import { Link, useLocation } from "react-router";
import AuthLayout from "../components/AuthLayout.jsx";
import FormError from "../components/FormError.jsx";

export default function Login() {
  const { setUser } = useAuth();
  const { search } = useLocation();
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [waitUntil, setWaitUntil] = useState(0); // ms epoch; log-in is throttled until then
  const [now, setNow] = useState(() => Date.now());
  const waitS = Math.max(0, Math.ceil((waitUntil - now) / 1000));

  useEffect(() => {
    if (!waitUntil) return undefined;
    const timer = setInterval(() => {
      const t = Date.now();
      setNow(t);
      if (t >= waitUntil) {
        setWaitUntil(0);
        setError("");
      }
    }, 250);
    return () => clearInterval(timer);
  }, [waitUntil]);

  async function submit(e) {
    e.preventDefault();
    // Read the form itself so browser autofill is always picked up.
    const form = new FormData(e.currentTarget);
    const email = String(form.get("email") || "").trim();
    const password = String(form.get("password") || "");
    if (!email || !password) {
      setError("Enter your email and password.");
      return;
    }
    setError("");
    setBusy(true);
    try {
      const data = await api.login(email, password);
      setUser(data.user); // App redirects to ?next= or the dashboard
    } catch (err) {
      if (err.status === 429 && err.retryAfterS) {
        setNow(Date.now());
        setWaitUntil(Date.now() + err.retryAfterS * 1000);
        setError("Too many log-in attempts.");
      } else {
        setError(err.message);
      }
      setBusy(false);
    }
  }

  return (
    <AuthLayout
      title="Log in"
      subtitle="Welcome back — pick up your interview practice."
      footer={
        <>
          New here? <Link to={`/signup${search}`}>Create an account</Link>
        </>
      }
    >
      <form className="form" onSubmit={submit} noValidate>
        <label>
          Email
          <input type="email" name="email" autoComplete="email" required autoFocus />
        </label>
        <label>
          Password
          <input type="password" name="password" autoComplete="current-password" required />
        </label>
        <FormError message={waitS > 0 ? `${error} Try again in ${waitS} s.` : error} />
        <button type="submit" className="button primary" disabled={busy || waitS > 0} data-testid="login-submit">
          {busy ? "Logging in…" : waitS > 0 ? `Try again in ${waitS} s` : "Log in"}
        </button>
      </form>
    </AuthLayout>
  );
}
