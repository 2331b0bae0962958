// Just enough Markdown for the question bank (paragraphs, "-" lists, fenced code, `code`
// and **bold**), rendered as React elements: no HTML strings, so nothing can be injected.

function inline(text, keyBase) {
  const parts = text.split(/(`[^`]+`|\*\*[^*]+\*\*)/g);
  return parts.map((part, i) => {
    const key = `${keyBase}-${i}`;
    if (part.startsWith("`") && part.endsWith("`") && part.length > 1) return <code key={key}>{part.slice(1, -1)}</code>;
    if (part.startsWith("**") && part.endsWith("**") && part.length > 3) return <strong key={key}>{part.slice(2, -2)}</strong>;
    return part;
  });
}

function blocks(source) {
  const out = [];
  const lines = source.replace(/\r\n/g, "\n").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.startsWith("```")) {
      const body = [];
      for (i += 1; i < lines.length && !lines[i].startsWith("```"); i += 1) body.push(lines[i]);
      out.push({ kind: "code", text: body.join("\n") });
      i += 1;
    } else if (/^\s*- /.test(line)) {
      const items = [];
      while (i < lines.length && /^\s*(- |\s{2,}\S)/.test(lines[i])) {
        if (/^\s*- /.test(lines[i])) items.push(lines[i].replace(/^\s*- /, ""));
        else items[items.length - 1] += " " + lines[i].trim();
        i += 1;
      }
      out.push({ kind: "list", items });
    } else if (!line.trim()) {
      i += 1;
    } else {
      const para = [];
      while (i < lines.length && lines[i].trim() && !lines[i].startsWith("```") && !/^\s*- /.test(lines[i])) {
        para.push(lines[i]);
        i += 1;
      }
      out.push({ kind: "p", text: para.join(" ") });
    }
  }
  return out;
}

export default function Markdown({ source }) {
  return (
    <div className="markdown">
      {blocks(source || "").map((b, i) => {
        if (b.kind === "code") return <pre key={i}>{b.text}</pre>;
        if (b.kind === "list")
          return (
            <ul key={i}>
              {b.items.map((item, j) => (
                <li key={j}>{inline(item, `${i}-${j}`)}</li>
              ))}
            </ul>
          );
        return <p key={i}>{inline(b.text, i)}</p>;
      })}
    </div>
  );
}
