// The small Markdown subset the coding question bank is written in (storage/seed):
// paragraphs, "- " lists, ``` code blocks, **bold** and `code`. Rendered as React elements,
// never as HTML, so question text cannot inject markup.

function inline(text, keyBase) {
  const out = [];
  const pattern = /(\*\*[^*]+\*\*|`[^`]+`)/g;
  let last = 0;
  let match;
  while ((match = pattern.exec(text)) !== null) {
    if (match.index > last) out.push(text.slice(last, match.index));
    const token = match[0];
    const key = `${keyBase}-${match.index}`;
    out.push(token.startsWith("**") ? <strong key={key}>{token.slice(2, -2)}</strong> : <code key={key}>{token.slice(1, -1)}</code>);
    last = match.index + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** Split the text into blocks: {kind: "code"|"list"|"para", lines}. */
export function blocks(source) {
  const result = [];
  let current = null;
  const push = (kind) => {
    current = { kind, lines: [] };
    result.push(current);
  };
  for (const line of source.replace(/\r\n/g, "\n").split("\n")) {
    if (current?.kind === "code") {
      if (line.trim().startsWith("```")) current = null;
      else current.lines.push(line);
      continue;
    }
    if (line.trim().startsWith("```")) {
      push("code");
      continue;
    }
    if (!line.trim()) {
      current = null;
      continue;
    }
    const item = line.match(/^\s*[-*]\s+(.*)$/);
    if (item) {
      if (current?.kind !== "list") push("list");
      current.lines.push(item[1]);
    } else if (current?.kind === "list" && /^\s{2,}\S/.test(line)) {
      current.lines[current.lines.length - 1] += ` ${line.trim()}`; // a wrapped list item
    } else {
      if (current?.kind !== "para") push("para");
      current.lines.push(line.trim());
    }
  }
  return result;
}

export default function Markdown({ text, className = "" }) {
  return (
    <div className={`markdown ${className}`}>
      {blocks(text || "").map((b, i) => {
        if (b.kind === "code") return <pre key={i}>{b.lines.join("\n")}</pre>;
        if (b.kind === "list")
          return (
            <ul key={i}>
              {b.lines.map((l, j) => (
                <li key={j}>{inline(l, `${i}-${j}`)}</li>
              ))}
            </ul>
          );
        return <p key={i}>{inline(b.lines.join(" "), i)}</p>;
      })}
    </div>
  );
}
