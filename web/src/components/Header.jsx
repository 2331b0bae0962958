import { useState } from "react";
import { api } from "../api.js";
import { useAuth } from "../auth.jsx";
import { Link } from "react-router";

export default function Header() {
  const { user, signOut } = useAuth();
  const [busy, setBusy] = useState(false);

  async function logout() {
    setBusy(true);
    try {
      await api.logout();
    } catch {
      // Even if the request fails, drop the local session view.
    }
    signOut(); // the route guard takes us to /login
  }

  return (
    <header className="app-header">
      <Link to="/" className="brand">
        <span className="brand-mark">IA</span> Interview Agent
      </Link>
      <nav className="header-nav">
        <Link to="/pricing" data-testid="nav-pricing">
          Pricing
        </Link>
        <Link to="/billing" data-testid="nav-billing">
          Billing
        </Link>
      </nav>
      <div className="header-user">
        <span className="user-name" data-testid="user-name" title={user?.email}>
          {user?.name || user?.email}
        </span>
        <button type="button" className="button small" onClick={logout} disabled={busy} data-testid="logout">
          Log out
        </button>
      </div>
    </header>
  );
}
