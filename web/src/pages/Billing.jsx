import { useEffect, useState } from "react";
import { api } from "../api.js";
import Header from "../components/Header.jsx";
import FormError from "../components/FormError.jsx";
import TestModeBadge from "../components/TestModeBadge.jsx";
import { money, useBilling } from "../billing.js";
import { formatDate } from "../format.js";
import { Link } from "react-router";

const STATUS = { succeeded: "Paid", failed: "Failed", refunded: "Refunded" };

function PlanSummary({ billing }) {
  if (billing.plan === "monthly") {
    return (
      <>
        <p className="plan-price">Premium · {money(2900)} / month</p>
        {billing.renews_at && <p data-testid="renews-at">Renews on {formatDate(billing.renews_at)}.</p>}
        {billing.ends_at && (
          <p data-testid="ends-at">Canceled — premium access ends on {formatDate(billing.ends_at)}.</p>
        )}
      </>
    );
  }
  return (
    <>
      <p className="plan-price">Free Practice</p>
      {billing.status === "past_due" && <p className="form-error">Your last payment failed: update your card.</p>}
      <p className="muted">
        <Link to="/pricing">Upgrade</Link> to unlock Google, Meta, Amazon and Netflix interviews.
      </p>
    </>
  );
}

export default function Billing() {
  const { billing, error, loading, reload } = useBilling();
  const [busy, setBusy] = useState(false);
  const [portalError, setPortalError] = useState("");

  useEffect(() => {
    document.title = "Billing · Interview Agent";
  }, []);

  async function manage() {
    setBusy(true);
    setPortalError("");
    try {
      const { url } = await api.openPortal();
      window.location.assign(url);
    } catch (err) {
      setPortalError(err.message);
      setBusy(false);
    }
  }

  return (
    <>
      <Header />
      <main className="page">
        <div className="section-head">
          <h1>Billing</h1>
          <TestModeBadge billing={billing} />
        </div>
        {loading && !billing && (
          <div className="center-block" aria-busy="true">
            <div className="spinner" aria-label="Loading billing" />
          </div>
        )}
        {error && !billing && (
          <div className="empty">
            <FormError message={`Could not load billing: ${error}`} />
            <button type="button" className="button" onClick={reload}>
              Retry
            </button>
          </div>
        )}
        {billing && (
          <div className="billing-grid">
            <section className="card" data-testid="billing-plan" data-plan={billing.plan}>
              <h3>Plan</h3>
              <PlanSummary billing={billing} />
              <FormError message={portalError} />
              {billing.can_manage && (
                <button type="button" className="button" onClick={manage} disabled={busy} data-testid="manage">
                  {busy ? "Opening…" : "Manage subscription"}
                </button>
              )}
            </section>
            <section className="card">
              <h3>Interview credits</h3>
              <p className="plan-price" data-testid="billing-credits">
                {billing.credits}
              </p>
              <p className="muted small-text">Each credit pays for one premium interview.</p>
              <Link to="/pricing" className="button">
                Buy credits
              </Link>
            </section>
            <section className="card billing-payments">
              <h3>Payments</h3>
              {billing.payments.length === 0 ? (
                <p className="muted">No payments yet.</p>
              ) : (
                <table className="payments" data-testid="payments">
                  <thead>
                    <tr>
                      <th>Date</th>
                      <th>What</th>
                      <th>Amount</th>
                      <th>Status</th>
                    </tr>
                  </thead>
                  <tbody>
                    {billing.payments.map((p) => (
                      <tr key={p.id}>
                        <td>{formatDate(p.created_at)}</td>
                        <td>{p.kind === "credits" ? `${p.credits} interview credit${p.credits === 1 ? "" : "s"}` : "Premium monthly"}</td>
                        <td>{money(p.amount, p.currency)}</td>
                        <td className={`pay-${p.status}`}>{STATUS[p.status] || p.status}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          </div>
        )}
      </main>
    </>
  );
}
