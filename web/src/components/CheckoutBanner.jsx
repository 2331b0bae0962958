import { useEffect, useState } from "react";
import { useLocation, useNavigate, useSearchParams } from "react-router";

const POLLS = 6;
const POLL_MS = 1000;

/**
 * After Checkout: ?checkout=success|canceled. On success the payment is confirmed by a webhook,
 * which may land a moment after the browser returns, so billing is re-read a few times.
 */
export default function CheckoutBanner({ billing, reload }) {
  const { pathname } = useLocation();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const outcome = params.get("checkout");
  const plan = params.get("plan");
  const [waiting, setWaiting] = useState(outcome === "success");

  const confirmed =
    billing && (plan === "credits" ? billing.credits > 0 : billing.plan === "monthly");

  useEffect(() => {
    if (outcome !== "success" || confirmed) {
      setWaiting(false);
      return undefined;
    }
    let n = 0;
    const timer = setInterval(async () => {
      n += 1;
      await reload();
      if (n >= POLLS) {
        clearInterval(timer);
        setWaiting(false);
      }
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [outcome, confirmed, reload]);

  if (outcome !== "success" && outcome !== "canceled") return null;
  const dismiss = () => navigate(pathname, { replace: true });

  let text;
  let kind = "banner-ok";
  if (outcome === "canceled") {
    text = "Checkout canceled — you have not been charged.";
    kind = "banner-info";
  } else if (confirmed) {
    text =
      plan === "credits"
        ? `Payment received — you have ${billing.credits} interview credit${billing.credits === 1 ? "" : "s"}.`
        : "Welcome to Premium — Google, Meta, Amazon and Netflix interviews are unlocked.";
  } else if (waiting) {
    text = "Payment received — confirming with Stripe…";
  } else {
    text = "Payment received. It can take a minute to show up; refresh if premium is still locked.";
    kind = "banner-info";
  }
  return (
    <div className={`banner ${kind}`} role="status" data-testid={`checkout-${outcome}`}>
      <span>{text}</span>
      <button type="button" className="notice-close" onClick={dismiss} aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}
