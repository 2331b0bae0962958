import { useEffect } from "react";
import { useAuth } from "../auth.jsx";
import { COMPANIES } from "../format.js";
import Header from "../components/Header.jsx";
import CompanyCard from "../components/CompanyCard.jsx";
import InterviewList from "../components/InterviewList.jsx";

export default function Dashboard() {
  const { user } = useAuth();

  useEffect(() => {
    document.title = "Dashboard · Interview Agent";
  }, []);

  const firstName = (user?.name || "").split(" ")[0];

  return (
    <>
      <Header />
      <main className="page">
        <section>
          <h1>{firstName ? `Hi ${firstName}, ready to practice?` : "Ready to practice?"}</h1>
          <p className="muted">Choose an interview style, set the role and level, and start talking.</p>
          <div className="company-grid">
            {COMPANIES.map((c) => (
              <CompanyCard key={c.id} company={c} />
            ))}
          </div>
        </section>
        <InterviewList />
      </main>
    </>
  );
}
