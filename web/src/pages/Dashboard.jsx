import { useEffect } from "react";
import { useAuth } from "../auth.jsx";
import Header from "../components/Header.jsx";
import NewInterviewForm from "../components/NewInterviewForm.jsx";
import InterviewList from "../components/InterviewList.jsx";
import CheckoutBanner from "../components/CheckoutBanner.jsx";
import { useBilling } from "../billing.js";

export default function Dashboard() {
  const { user } = useAuth();
  const { billing, reload } = useBilling();
  // Until billing answers, nothing is shown as locked; the server has the last word (402).
  const premiumOpen = !billing || billing.premium_access;

  useEffect(() => {
    document.title = "Dashboard · Interview Agent";
  }, []);

  const firstName = (user?.name || "").split(" ")[0];

  return (
    <>
      <Header />
      <main className="page">
        <CheckoutBanner billing={billing} reload={reload} />
        <section>
          <h1>{firstName ? `Hi ${firstName}, ready to practice?` : "Ready to practice?"}</h1>
          <p className="muted">Choose an interview style, the role, level and length, and start talking.</p>
          <NewInterviewForm premiumOpen={premiumOpen} />
        </section>
        <InterviewList />
      </main>
    </>
  );
}
