/** Shown while payments run against Stripe test keys or the built-in local Stripe. */
export default function TestModeBadge({ billing }) {
  if (!billing?.test_mode) return null;
  return (
    <span className="badge test-mode" data-testid="test-mode" title="No real money moves: use card 4242 4242 4242 4242">
      Test mode
    </span>
  );
}
