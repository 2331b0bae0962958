import { Link } from "react-router";

export default function NotFound() {
  return (
    <main className="center-screen">
      <div className="card narrow">
        <h1>Page not found</h1>
        <p className="muted">There is nothing at this address.</p>
        <Link to="/" className="button">
          Go to the dashboard
        </Link>
      </div>
    </main>
  );
}
