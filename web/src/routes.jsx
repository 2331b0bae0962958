// Every page of the client in one table. To add a page: import it and add a row under
// the guard it needs (RequireAuth: logged-in users only; GuestOnly: log-in/sign-up only;
// neither: anyone). Paths use react-router syntax ("/interviews/:id").
import { Outlet, ScrollRestoration, createBrowserRouter } from "react-router";
import { AuthProvider, GuestOnly, RequireAuth, useAuth } from "./auth.jsx";
import Dashboard from "./pages/Dashboard.jsx";
import InterviewRoom from "./pages/InterviewRoom.jsx";
import Landing from "./pages/Landing.jsx";
import Login from "./pages/Login.jsx";
import Billing from "./pages/Billing.jsx";
import NotFound from "./pages/NotFound.jsx";
import Pricing from "./pages/Pricing.jsx";
import RouteError from "./pages/RouteError.jsx";
import Signup from "./pages/Signup.jsx";

const page = (load) => async () => ({ Component: (await load()).default });

function Root() {
  return (
    <AuthProvider>
      <Outlet />
      <ScrollRestoration />
    </AuthProvider>
  );
}

/** "/": the dashboard for a signed-in user, the landing page (what the product is) for visitors. */
function Home() {
  const { user } = useAuth();
  return user ? <Dashboard /> : <Landing />;
}

export const routes = [
  {
    element: <Root />,
    errorElement: <RouteError />,
    children: [
      {
        element: <GuestOnly />,
        children: [
          { path: "/login", element: <Login /> },
          { path: "/signup", element: <Signup /> },
        ],
      },
      {
        element: <RequireAuth />,
        children: [
          { path: "/interviews/:id", element: <InterviewRoom /> },
          // Loaded on first visit: the chart library stays out of the main bundle.
          { path: "/interviews/:id/feedback", lazy: page(() => import("./pages/Feedback.jsx")) },
          { path: "/interviews/:id/replay", lazy: page(() => import("./pages/Replay.jsx")) },
          { path: "/pricing", element: <Pricing /> },
          { path: "/billing", element: <Billing /> },
        ],
      },
      { path: "/", element: <Home /> },
      { path: "*", element: <NotFound /> },
    ],
  },
];

export const router = createBrowserRouter(routes);
