// The signed-in user's plan and credits (GET /api/billing), and money formatting.
import { useCallback, useEffect, useState } from "react";
import { api } from "./api.js";

/** {billing, error, loading, reload}: billing is null until the first answer. */
export function useBilling() {
  const [billing, setBilling] = useState(null);
  const [error, setError] = useState("");
  const [loading, setLoading] = useState(true);

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      const data = await api.getBilling();
      setBilling(data);
      setError("");
      return data;
    } catch (err) {
      setError(err.message);
      return null;
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    reload();
  }, [reload]);

  return { billing, error, loading, reload };
}

export function money(cents, currency = "usd") {
  return new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase() }).format(
    cents / 100,
  );
}

/** Send the browser to Stripe Checkout (or the local test-mode page). */
export async function goToCheckout(plan, quantity = 1) {
  const { url } = await api.startCheckout(plan, quantity);
  window.location.assign(url);
}
