// Who is logged in, and the route guards built on it.
// user: undefined while the session is being checked, null when logged out, else {id, email, name}.
import { createContext, useCallback, useContext, useEffect, useState } from "react";
import { Navigate, Outlet, useLocation } from "react-router";
import { api, onUnauthorized } from "./api.js";

const AuthContext = createContext({ user: undefined, setUser: () => {}, signOut: () => {} });

export function useAuth() {
  return useContext(AuthContext);
}

/** Keep only same-site relative paths (for ?next= redirects). */
export function safeNext(value) {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//")) return "/";
  return value;
}

function Loading() {
  return (
    <div className="center-screen" aria-busy="true">
      <div className="spinner" aria-label="Loading" />
    </div>
  );
}

/** Checks the session once, then renders the matched route with the user in context. */
export function AuthProvider({ children }) {
  // signedOut: the user logged out themselves (go to a plain /login, not back here after).
  const [{ user, signedOut }, setAuth] = useState({ user: undefined, signedOut: false });
  const setUser = useCallback((next) => setAuth({ user: next, signedOut: false }), []);
  const signOut = useCallback(() => setAuth({ user: null, signedOut: true }), []);

  useEffect(() => {
    let cancelled = false;
    api
      .me()
      .then((data) => !cancelled && setUser(data.user))
      .catch(() => !cancelled && setUser(null));
    onUnauthorized(() => setUser(null)); // the session expired mid-use
    return () => {
      cancelled = true;
      onUnauthorized(null);
    };
  }, [setUser]);

  if (user === undefined) return <Loading />;
  return <AuthContext.Provider value={{ user, setUser, signOut, signedOut }}>{children}</AuthContext.Provider>;
}

/** Routes for logged-in users: guests go to /login, which brings them back afterwards. */
export function RequireAuth() {
  const { user, signedOut } = useAuth();
  const { pathname, search } = useLocation();
  if (user) return <Outlet />;
  const here = pathname + search;
  const back = signedOut || here === "/" ? "" : `?next=${encodeURIComponent(here)}`;
  return <Navigate to={`/login${back}`} replace />;
}

/** Log-in and sign-up: a logged-in user goes on to ?next= or the dashboard. */
export function GuestOnly() {
  const { user } = useAuth();
  const { search } = useLocation();
  if (!user) return <Outlet />;
  return <Navigate to={safeNext(new URLSearchParams(search).get("next"))} replace />;
}
