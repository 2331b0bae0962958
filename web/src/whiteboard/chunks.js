// Big data-channel events (a whiteboard PNG) go out as chunks the server reassembles:
// {"type":"chunk","id","seq","total","data"}, each message well under its 64 KiB cap.

export const CHUNK_CHARS = 60000;

let counter = 0;

/** Send `event` over an open channel, in chunks when it is big; returns whether it was sent. */
export function sendChunked(channel, event) {
  if (!channel || channel.readyState !== "open") return false;
  const text = JSON.stringify(event);
  if (text.length <= CHUNK_CHARS) {
    channel.send(text);
    return true;
  }
  counter += 1;
  const id = `${Date.now().toString(36)}-${counter}`;
  const total = Math.ceil(text.length / CHUNK_CHARS);
  for (let seq = 0; seq < total; seq++) {
    const data = text.slice(seq * CHUNK_CHARS, (seq + 1) * CHUNK_CHARS);
    channel.send(JSON.stringify({ type: "chunk", id, seq, total, data }));
  }
  return true;
}

/** A Blob as base64 (no data: prefix). */
export function blobToBase64(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error);
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.readAsDataURL(blob);
  });
}
