import { Link, isRouteErrorResponse, useRouteError } from "react-router";
import NotFound from "./NotFound.jsx";

/** A page that threw while rendering: say so instead of a blank screen. */
export default function RouteError() {
  const error = useRouteError();
  if (isRouteErrorResponse(error) && error.status === 404) return <NotFound />;
  return (
    <main className="center-screen" data-testid="route-error">
      <div className="card narrow">
        <h1>Something went wrong</h1>
        <p className="muted">This page failed to load. Reload to try again.</p>
        <div className="actions">
          <button type="button" className="button primary" onClick={() => window.location.reload()}>
            Reload
          </button>
          <Link to="/" className="button" reloadDocument>
            Go to the dashboard
          </Link>
        </div>
      </div>
    </main>
  );
}
