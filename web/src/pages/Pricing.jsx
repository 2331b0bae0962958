import { useEffect, useState } from "react";
import Header from "../components/Header.jsx";
import CheckoutBanner from "../components/CheckoutBanner.jsx";
import FormError from "../components/FormError.jsx";
import TestModeBadge from "../components/TestModeBadge.jsx";
import { goToCheckout, money, useBilling } from "../billing.js";
import { Link } from "react-router";

const FEATURES = {
  free: ["Unlimited Free Practice interviews", "System design and coding", "Recording and feedback"],
  monthly: [
    "Unlimited premium interviews",
    "Google, Meta, Amazon and Netflix styles",
    "Everything in Free",
    "Cancel any time",
  ],
  credits: ["One premium interview per credit", "Any premium company style", "Credits never expire"],
};

function PlanCard({ plan, current, children }) {
  return (
    <div className={`card plan-card${current ? " plan-current" : ""}`} data-testid={`plan-${plan.id}`}>
      <div className="company-head">
        <h3>{plan.name}</h3>
        {current && (
          <span className="badge free" data-testid="current-plan">
            Current plan
          </span>
        )}
      </div>
      <p className="plan-price">
        {money(plan.amount, plan.currency)}
        <span className="muted">{plan.interval ? ` / ${plan.interval}` : plan.id === "credits" ? " / interview" : ""}</span>
      </p>
      <ul className="plan-features">
        {FEATURES[plan.id].map((f) => (
          <li key={f}>{f}</li>
        ))}
      </ul>
      {children}
    </div>
  );
}

export default function Pricing() {
  const { billing, error, loading, reload } = useBilling();
  const [busy, setBusy] = useState("");
  const [actionError, setActionError] = useState("");
  const [quantity, setQuantity] = useState(1);

  useEffect(() => {
    document.title = "Pricing · Interview Agent";
  }, []);

  async function buy(plan) {
    setBusy(plan);
    setActionError("");
    try {
      await goToCheckout(plan, plan === "credits" ? quantity : 1);
    } catch (err) {
      setActionError(err.message);
      setBusy("");
    }
  }

  const plans = billing?.plans || [];
  const byId = Object.fromEntries(plans.map((p) => [p.id, p]));
  const max = billing?.max_credits_per_checkout || 20;

  return (
    <>
      <Header />
      <main className="page">
        <CheckoutBanner billing={billing} reload={reload} />
        <div className="section-head">
          <h1>Plans and pricing</h1>
          <TestModeBadge billing={billing} />
        </div>
        <p className="muted">Practise for free, or unlock the premium company styles.</p>
        {loading && !billing && (
          <div className="center-block" aria-busy="true">
            <div className="spinner" aria-label="Loading plans" />
          </div>
        )}
        {error && !billing && (
          <div className="empty">
            <FormError message={`Could not load plans: ${error}`} />
            <button type="button" className="button" onClick={reload}>
              Retry
            </button>
          </div>
        )}
        {billing && (
          <>
            <FormError message={actionError} />
            <div className="company-grid plan-grid">
              <PlanCard plan={byId.free} current={billing.plan === "free"}>
                <Link to="/" className="button">
                  Start practising
                </Link>
              </PlanCard>
              <PlanCard plan={byId.monthly} current={billing.plan === "monthly"}>
                {billing.plan === "monthly" ? (
                  <Link to="/billing" className="button">
                    Manage subscription
                  </Link>
                ) : (
                  <button
                    type="button"
                    className="button primary"
                    onClick={() => buy("monthly")}
                    disabled={Boolean(busy)}
                    data-testid="subscribe"
                  >
                    {busy === "monthly" ? "Opening checkout…" : "Subscribe"}
                  </button>
                )}
              </PlanCard>
              <PlanCard plan={byId.credits} current={false}>
                <p className="muted small-text" data-testid="credit-balance">
                  You have {billing.credits} credit{billing.credits === 1 ? "" : "s"}.
                </p>
                <label htmlFor="credit-qty">Credits</label>
                <div className="qty-row">
                  <input
                    id="credit-qty"
                    type="number"
                    min={1}
                    max={max}
                    value={quantity}
                    onChange={(e) => setQuantity(Math.max(1, Math.min(max, Number(e.target.value) || 1)))}
                  />
                  <button
                    type="button"
                    className="button primary"
                    onClick={() => buy("credits")}
                    disabled={Boolean(busy)}
                    data-testid="buy-credits"
                  >
                    {busy === "credits" ? "Opening checkout…" : `Buy for ${money(byId.credits.amount * quantity)}`}
                  </button>
                </div>
              </PlanCard>
            </div>
          </>
        )}
      </main>
    </>
  );
}
