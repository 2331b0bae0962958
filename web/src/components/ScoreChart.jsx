import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

const colour = (score) => (score >= 3.75 ? "#1f9d55" : score >= 2.5 ? "#2f5bea" : score >= 1.25 ? "#c77d00" : "#d63a3a");

/** Category scores (0–5) as horizontal bars. */
export default function ScoreChart({ rubric }) {
  const data = rubric.map((r) => ({ name: r.name || r.criterion, score: r.score, weight: r.weight }));
  return (
    <div className="score-chart" data-testid="score-chart" role="img"
      aria-label={data.map((d) => `${d.name} ${d.score} of 5`).join(", ")}>
      <ResponsiveContainer width="100%" height={48 * data.length + 40}>
        <BarChart data={data} layout="vertical" margin={{ top: 8, right: 24, bottom: 8, left: 8 }}>
          <CartesianGrid horizontal={false} stroke="#dfe2ec" />
          <XAxis type="number" domain={[0, 5]} ticks={[0, 1, 2, 3, 4, 5]} />
          <YAxis type="category" dataKey="name" width={170} tick={{ fontSize: 13 }} />
          <Tooltip
            formatter={(value, _name, item) => [`${value} / 5 (weight ${Math.round(item.payload.weight * 100)}%)`, "Score"]}
          />
          <Bar dataKey="score" radius={[0, 6, 6, 0]} isAnimationActive={false}>
            {data.map((d) => (
              <Cell key={d.name} fill={colour(d.score)} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
