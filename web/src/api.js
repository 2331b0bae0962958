// Thin JSON client for the Interview Agent REST API (same origin, cookie session).

export class ApiError extends Error {
  constructor(status, code, message, retryAfterS = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.retryAfterS = retryAfterS; // seconds, from a 429/503 Retry-After header
  }
}

function retryAfter(res) {
  const value = Number(res.headers.get("Retry-After"));
  return Number.isFinite(value) && value > 0 ? Math.ceil(value) : null;
}

let unauthorizedHandler = null;

/** Called with no arguments when a non-auth request comes back 401 (session expired). */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

async function request(method, path, body) {
  const init = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }

  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, "network", "Could not reach the server — check your connection and retry.");
  }

  let data = null;
  if (res.status !== 204) {
    const text = await res.text();
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
  }

  if (!res.ok) {
    const err = data && data.error;
    const message =
      (err && err.message) || `Request failed (${res.status}${res.statusText ? " " + res.statusText : ""})`;
    if (res.status === 401 && !path.startsWith("/api/auth/") && unauthorizedHandler) {
      unauthorizedHandler();
    }
    throw new ApiError(res.status, (err && err.code) || "http_error", message, retryAfter(res));
  }
  return data;
}

const enc = encodeURIComponent;

export const api = {
  signup: (email, password, name) => request("POST", "/api/auth/signup", { email, password, name }),
  login: (email, password) => request("POST", "/api/auth/login", { email, password }),
  logout: () => request("POST", "/api/auth/logout"),
  me: () => request("GET", "/api/auth/me"),

  listInterviews: (limit = 20, offset = 0) =>
    request("GET", `/api/interviews?limit=${enc(limit)}&offset=${enc(offset)}`),
  createInterview: ({ type, role, level, company, length_minutes = 45, question_id = null }) =>
    request("POST", "/api/interviews", {
      type,
      role,
      level,
      company,
      length_minutes,
      ...(question_id ? { question_id } : {}),
    }),
  listQuestions: (type) => request("GET", `/api/questions?type=${enc(type)}`),
  getQuestion: (slug) => request("GET", `/api/questions/${enc(slug)}`),
  getInterview: (id) => request("GET", `/api/interviews/${enc(id)}`),
  deleteInterview: (id) => request("DELETE", `/api/interviews/${enc(id)}`),
  sendOffer: (id, { sdp, type }) => request("POST", `/api/interviews/${enc(id)}/offer`, { sdp, type }),
  getMedia: (id) => request("GET", `/api/interviews/${enc(id)}/media`),
  // 202 {status: "pending"|"running"} while it is being made; 200 {status: "done", ...}.
  getFeedback: (id) => request("GET", `/api/interviews/${enc(id)}/feedback`),
  regenerateFeedback: (id) => request("POST", `/api/interviews/${enc(id)}/feedback`),
  getTimeline: (id) => request("GET", `/api/interviews/${enc(id)}/timeline`),

  getBilling: () => request("GET", "/api/billing"),
  startCheckout: (plan, quantity = 1) => request("POST", "/api/billing/checkout", { plan, quantity }),
  openPortal: () => request("POST", "/api/billing/portal"),

  // Whiteboard: the latest stored scene (to restore it) and the snapshot timeline.
  latestCanvas: (id) => request("GET", `/api/interviews/${enc(id)}/canvas-snapshots/latest`),
  listCanvasSnapshots: (id) => request("GET", `/api/interviews/${enc(id)}/canvas-snapshots`),

  getQuestion: (slug) => request("GET", `/api/questions/${enc(slug)}`),
  getLatestCode: (id) => request("GET", `/api/interviews/${enc(id)}/code`),
  runCode: (id, { language, code, question_slug }) =>
    request("POST", `/api/interviews/${enc(id)}/runs`, { language, code, question_slug }),
  submitCode: (id, { language, code, question_slug }) =>
    request("POST", `/api/interviews/${enc(id)}/submissions`, { language, code, question_slug }),
};
