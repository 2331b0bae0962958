// Thin JSON client for the Interview Agent REST API (same origin, cookie session).

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
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
    throw new ApiError(res.status, (err && err.code) || "http_error", message);
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
  createInterview: ({ type, role, level, company }) =>
    request("POST", "/api/interviews", { type, role, level, company }),
  getInterview: (id) => request("GET", `/api/interviews/${enc(id)}`),
  deleteInterview: (id) => request("DELETE", `/api/interviews/${enc(id)}`),
  sendOffer: (id, { sdp, type }) => request("POST", `/api/interviews/${enc(id)}/offer`, { sdp, type }),
  getMedia: (id) => request("GET", `/api/interviews/${enc(id)}/media`),

  getQuestion: (slug) => request("GET", `/api/questions/${enc(slug)}`),
  getLatestCode: (id) => request("GET", `/api/interviews/${enc(id)}/code`),
  runCode: (id, { language, code, question_slug }) =>
    request("POST", `/api/interviews/${enc(id)}/runs`, { language, code, question_slug }),
  submitCode: (id, { language, code, question_slug }) =>
    request("POST", `/api/interviews/${enc(id)}/submissions`, { language, code, question_slug }),
};
