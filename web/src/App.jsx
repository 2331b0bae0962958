import { useEffect, useState } from "react";
import { api, onUnauthorized } from "./api.js";
import { AuthContext } from "./auth.jsx";
import { matchPath, navigate, safeNext, useLocation } from "./router.jsx";
import Login from "./pages/Login.jsx";
import Signup from "./pages/Signup.jsx";
import Dashboard from "./pages/Dashboard.jsx";
import Landing from "./pages/Landing.jsx";
import InterviewRoom from "./pages/InterviewRoom.jsx";
import NotFound from "./pages/NotFound.jsx";

const ROUTES = [
  { path: "/login", page: Login, guestOnly: true },
  { path: "/signup", page: Signup, guestOnly: true },
  { path: "/", page: Dashboard, visitorPage: Landing }, // visitors see what the product is
  { path: "/interviews/:id", page: InterviewRoom },
];

function resolve(pathname) {
  for (const route of ROUTES) {
    const params = matchPath(route.path, pathname);
    if (params) return { route, params };
  }
  return { route: { page: NotFound }, params: {} };
}

export default function App() {
  const [user, setUser] = useState(undefined); // undefined = still checking the session
  const { pathname, search } = useLocation();
  const { route, params } = resolve(pathname);

  useEffect(() => {
    let cancelled = false;
    api
      .me()
      .then((data) => !cancelled && setUser(data.user))
      .catch(() => !cancelled && setUser(null));
    onUnauthorized(() => setUser(null));
    return () => {
      cancelled = true;
    };
  }, []);

  // Redirects: guests to /login (remembering where they were going),
  // logged-in users away from /login and /signup.
  const needsLogin = user === null && !route.guestOnly && !route.visitorPage;
  const leaveGuestPage = user && route.guestOnly;
  useEffect(() => {
    if (needsLogin) {
      const here = pathname + search;
      navigate(here === "/" ? "/login" : `/login?next=${encodeURIComponent(here)}`, { replace: true });
    } else if (leaveGuestPage) {
      navigate(safeNext(new URLSearchParams(search).get("next")), { replace: true });
    }
  }, [needsLogin, leaveGuestPage, pathname, search]);

  if (user === undefined || needsLogin || leaveGuestPage) {
    return (
      <div className="center-screen" aria-busy="true">
        <div className="spinner" aria-label="Loading" />
      </div>
    );
  }

  const Page = user === null && route.visitorPage ? route.visitorPage : route.page;
  return (
    <AuthContext.Provider value={{ user, setUser }}>
      <Page params={params} />
    </AuthContext.Provider>
  );
}
