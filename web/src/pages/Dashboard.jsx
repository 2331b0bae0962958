import { useEffect } from "react";
import { useAuth } from "../auth.jsx";
import Header from "../components/Header.jsx";
import NewInterviewForm from "../components/NewInterviewForm.jsx";
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
          <p className="muted">Choose an interview style, the role, level and length, and start talking.</p>
          <NewInterviewForm />
        </section>
        <InterviewList />
      </main>
    </>
  );
}
