import { useState } from "react";
import { api } from "../api.js";
import { useAuth } from "../auth.jsx";
import { Link, useLocation } from "react-router";
import AuthLayout from "../components/AuthLayout.jsx";
import FormError from "../components/FormError.jsx";

const MIN_PASSWORD = 8;

export default function Signup() {
  const { setUser } = useAuth();
  const { search } = useLocation();
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(e) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const name = String(form.get("name") || "").trim();
    const email = String(form.get("email") || "").trim();
    const password = String(form.get("password") || "");
    if (!name || !email) {
      setError("Enter your name and email.");
      return;
    }
    if (password.length < MIN_PASSWORD) {
      setError(`Password must be at least ${MIN_PASSWORD} characters.`);
      return;
    }
    setError("");
    setBusy(true);
    try {
      const data = await api.signup(email, password, name);
      // Make sure a session exists (log in if the server did not start one).
      let user = data.user;
      try {
        user = (await api.me()).user;
      } catch {
        user = (await api.login(email, password)).user;
      }
      setUser(user); // App redirects to ?next= or the dashboard
    } catch (err) {
      setError(err.message);
      setBusy(false);
    }
  }

  return (
    <AuthLayout
      title="Create your account"
      subtitle="Practice system design and coding interviews with an AI interviewer."
      footer={
        <>
          Already have an account? <Link to={`/login${search}`}>Log in</Link>
        </>
      }
    >
      <form className="form" onSubmit={submit} noValidate>
        <label>
          Name
          <input type="text" name="name" autoComplete="name" maxLength={100} required autoFocus />
        </label>
        <label>
          Email
          <input type="email" name="email" autoComplete="email" required />
        </label>
        <label>
          Password
          <input type="password" name="password" autoComplete="new-password" minLength={MIN_PASSWORD} required />
          <span className="hint">At least {MIN_PASSWORD} characters.</span>
        </label>
        <FormError message={error} />
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? "Creating account…" : "Sign up"}
        </button>
      </form>
    </AuthLayout>
  );
}
