// A tiny history.pushState router: navigate(), useLocation(), matchPath(), <Link>.
import { useSyncExternalStore } from "react";

const listeners = new Set();

function emit() {
  for (const listener of listeners) listener();
}

if (typeof window !== "undefined") {
  window.addEventListener("popstate", emit);
}

function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function snapshot() {
  return window.location.pathname + window.location.search;
}

export function navigate(to, { replace = false } = {}) {
  if (to === snapshot()) return;
  if (replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  if (!replace) window.scrollTo(0, 0);
  emit();
}

/** Returns {pathname, search, params: URLSearchParams} and re-renders on navigation. */
export function useLocation() {
  const href = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(href, window.location.origin);
  return { pathname: url.pathname, search: url.search, params: url.searchParams };
}

/** matchPath("/interviews/:id", "/interviews/7") → {id: "7"}; null when it does not match. */
export function matchPath(pattern, pathname) {
  const trim = (s) => s.replace(/\/+$/, "") || "/";
  const want = trim(pattern).split("/");
  const have = trim(pathname).split("/");
  if (want.length !== have.length) return null;
  const params = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(":")) {
      if (!have[i]) return null;
      try {
        params[want[i].slice(1)] = decodeURIComponent(have[i]);
      } catch {
        return null;
      }
    } else if (want[i] !== have[i]) {
      return null;
    }
  }
  return params;
}

/** Keep only same-site relative paths (for ?next= redirects). */
export function safeNext(value) {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//")) return "/";
  return value;
}

export function Link({ to, onClick, children, ...rest }) {
  function handleClick(e) {
    if (onClick) onClick(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  }
  return (
    <a href={to} onClick={handleClick} {...rest}>
      {children}
    </a>
  );
}
