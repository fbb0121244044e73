// When the client did not ask for usage on an OpenAI stream, the gateway asks the upstream for
// it (to bill) and must then remove that extra chunk — the one with `"choices": []` and a usage
// object — so the client receives exactly the stream it asked for. Events are forwarded as soon
// as they are complete; only a partial event waits for its end.

const encoder = new TextEncoder();

function isInjectedUsageEvent(event: string): boolean {
  // Every chunk carries "usage" (null until the last), so test for the empty choices list first.
  if (!/"choices"\s*:\s*\[\s*\]/.test(event) || !event.includes('"usage"')) return false;
  const data = event
    .split(/\r?\n/)
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).trimStart())
    .join("\n");
  try {
    const json = JSON.parse(data) as { choices?: unknown; usage?: unknown };
    return Array.isArray(json.choices) && json.choices.length === 0 && typeof json.usage === "object" && json.usage !== null;
  } catch {
    return false;
  }
}

export function createUsageChunkFilter() {
  const decoder = new TextDecoder();
  let pending = "";
  const take = (final: boolean): Uint8Array[] => {
    const out: string[] = [];
    for (;;) {
      const match = /\r?\n\r?\n/.exec(pending);
      if (!match) break;
      const end = match.index + match[0].length;
      const event = pending.slice(0, end);
      pending = pending.slice(end);
      if (!isInjectedUsageEvent(event)) out.push(event);
    }
    if (final && pending) {
      if (!isInjectedUsageEvent(pending)) out.push(pending);
      pending = "";
    }
    return out.length ? [encoder.encode(out.join(""))] : [];
  };
  return {
    push(chunk: Uint8Array): Uint8Array[] {
      pending += decoder.decode(chunk, { stream: true });
      return take(false);
    },
    flush(): Uint8Array[] {
      pending += decoder.decode();
      return take(true);
    },
  };
}
