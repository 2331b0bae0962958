// Pure caption-list reducer for {"type":"caption","speaker","text","final"} messages.

export const MAX_CAPTIONS = 300;
let nextId = 1;

/**
 * A caption updates the speaker's most recent line while that line is still
 * partial (both partial → partial and partial → final); otherwise it starts a
 * new line. Returns a new array.
 */
export function applyCaption(list, msg) {
  const speaker = String(msg.speaker ?? "");
  const text = String(msg.text ?? "");
  const final = msg.final !== false;

  let idx = -1;
  for (let i = list.length - 1; i >= 0; i--) {
    if (list[i].speaker === speaker) {
      idx = i;
      break;
    }
  }
  if (idx >= 0 && !list[idx].final) {
    const next = list.slice();
    if (!text && !final) next.splice(idx, 1);
    else next[idx] = { ...list[idx], text, final };
    return next;
  }
  if (!text) return list;
  const next = [...list, { id: nextId++, speaker, text, final }];
  return next.length > MAX_CAPTIONS ? next.slice(next.length - MAX_CAPTIONS) : next;
}

const SPEAKERS = {
  agent: "Interviewer",
  interviewer: "Interviewer",
  model: "Interviewer",
  assistant: "Interviewer",
  user: "You",
  candidate: "You",
};

export function speakerLabel(speaker) {
  return SPEAKERS[String(speaker).toLowerCase()] || speaker || "Unknown";
}

export function isCandidate(speaker) {
  return speakerLabel(speaker) === "You";
}
