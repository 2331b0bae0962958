import { useState } from "react";
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
      setError(err.message);
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
        <FormError message={error} />
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? "Logging in…" : "Log in"}
        </button>
      </form>
    </AuthLayout>
  );
}
