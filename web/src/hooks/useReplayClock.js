// One clock for the replay: the recording element when there is one (a separate audio track
// follows a video that has no sound), or a plain number when nothing was recorded.
import { useCallback, useEffect, useRef, useState } from "react";

const DRIFT_S = 0.25;

export function useReplayClock({ initialTime = 0, hasFollower = false } = {}) {
  const [el, setEl] = useState(null); // the primary element, set by a callback ref
  const primary = useRef(null);
  primary.current = el;
  const follower = useRef(null);
  const [time, setTime] = useState(initialTime);
  const [duration, setDuration] = useState(0);
  const pendingSeek = useRef(initialTime > 0 ? initialTime : null);

  const seek = useCallback((t) => {
    const el = primary.current;
    const target = Math.max(0, t);
    setTime(target);
    if (!el) {
      pendingSeek.current = target; // applied when the recording's metadata arrives
      return;
    }
    if (el.readyState >= 1) {
      el.currentTime = target;
      if (follower.current) follower.current.currentTime = target;
    } else {
      pendingSeek.current = target;
    }
  }, []);

  useEffect(() => {
    if (!el) return undefined;
    const f = () => (hasFollower ? follower.current : null);
    const onMeta = () => {
      if (Number.isFinite(el.duration)) setDuration(el.duration);
      if (pendingSeek.current != null) {
        el.currentTime = pendingSeek.current;
        if (f()) f().currentTime = pendingSeek.current;
        pendingSeek.current = null;
      }
    };
    const onTime = () => {
      setTime(el.currentTime);
      const fo = f();
      if (fo && Math.abs(fo.currentTime - el.currentTime) > DRIFT_S) fo.currentTime = el.currentTime;
    };
    const onPlay = () => f()?.play().catch(() => {});
    const onPause = () => f()?.pause();
    const onSeeked = () => {
      setTime(el.currentTime);
      if (f()) f().currentTime = el.currentTime;
    };
    const onRate = () => f() && (f().playbackRate = el.playbackRate);
    const events = { loadedmetadata: onMeta, durationchange: onMeta, timeupdate: onTime, play: onPlay,
      pause: onPause, seeked: onSeeked, ratechange: onRate };
    for (const [name, fn] of Object.entries(events)) el.addEventListener(name, fn);
    if (el.readyState >= 1) onMeta();
    return () => {
      for (const [name, fn] of Object.entries(events)) el.removeEventListener(name, fn);
    };
  }, [el, hasFollower]);

  return { primaryRef: setEl, follower, time, duration, seek };
}
