// Labels and formatting helpers shared by the pages.

export const COMPANIES = [
  { id: "free_practice", name: "Free Practice", premium: false, blurb: "General interview practice, no strings attached." },
  { id: "google", name: "Google", premium: true, blurb: "Structured, scalable designs and clean problem solving." },
  { id: "meta", name: "Meta", premium: true, blurb: "Product-minded engineering at massive scale." },
  { id: "amazon", name: "Amazon", premium: true, blurb: "Leadership principles meet distributed systems." },
  { id: "netflix", name: "Netflix", premium: true, blurb: "High-judgement engineering and resilient streaming." },
];

export const TYPES = [
  { id: "system_design", name: "System design" },
  { id: "coding", name: "Coding" },
];

export const LEVELS = [
  { id: "junior", name: "Junior" },
  { id: "mid", name: "Mid" },
  { id: "senior", name: "Senior" },
  { id: "staff", name: "Staff" },
];

const STATUS_LABELS = {
  scheduled: "Scheduled",
  in_progress: "In progress",
  completed: "Completed",
  abandoned: "Abandoned",
  failed: "Failed",
};

export const TERMINAL_STATUSES = new Set(["completed", "abandoned", "failed"]);

function lookup(list, id) {
  const item = list.find((x) => x.id === id);
  return item ? item.name : id || "—";
}

export const companyName = (id) => lookup(COMPANIES, id);
export const typeName = (id) => lookup(TYPES, id);
export const levelName = (id) => lookup(LEVELS, id);
export const statusName = (s) => STATUS_LABELS[s] || s || "—";

/** 754 → "12m 34s"; null → "—". */
export function formatDuration(seconds) {
  if (seconds == null || Number.isNaN(Number(seconds))) return "—";
  const total = Math.max(0, Math.round(Number(seconds)));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}

/** Elapsed clock "mm:ss" (grows to "h:mm:ss"). */
export function formatClock(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const mm = String(Math.floor((total % 3600) / 60)).padStart(2, "0");
  const ss = String(total % 60).padStart(2, "0");
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function formatDate(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
