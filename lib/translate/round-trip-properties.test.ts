import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { translateRequest, translateResponse, type Protocol } from "./index";

// Property tests of the translators: an OpenAI Chat Completions request or response carried to
// another protocol and back keeps what must be kept — the text of every turn and its role, the
// tool calls with their arguments, the tool results, and the usage numbers.

const RUNS = { numRuns: 100 };
const TARGETS: Protocol[] = ["anthropic", "gemini", "responses"];
const CTX = { model: "client-model", id: "chatcmpl_1", created: 1700000000 };

const text = fc.string({ unit: "grapheme", minLength: 1, maxLength: 60 }).filter((s) => s.trim() !== "");
const toolName = fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/);
const argValue = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }));
const args = fc.dictionary(
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,10}$/).filter((k) => k !== "__proto__"),
  argValue,
  { maxKeys: 4 },
);

type Turn = { user: string; assistant: string | null; calls: { name: string; args: Record<string, unknown>; result: string }[] };
const turn: fc.Arbitrary<Turn> = fc.record({
  user: text,
  assistant: fc.option(text, { nil: null }),
  calls: fc.array(fc.record({ name: toolName, args, result: text }), { maxLength: 2 }),
});

/** An OpenAI Chat Completions request: system, then turns of user → assistant (text, tool calls) → tool results. */
function chatRequest(system: string | null, turns: Turn[]): Record<string, unknown> {
  const messages: Record<string, unknown>[] = [];
  if (system !== null) messages.push({ role: "system", content: system });
  let n = 0;
  turns.forEach((t, i) => {
    messages.push({ role: "user", content: t.user });
    const last = i === turns.length - 1;
    if (last) return;
    const calls = t.calls.map((c) => ({ id: `call_${++n}`, type: "function", function: { name: c.name, arguments: JSON.stringify(c.args) } }));
    if (t.assistant === null && calls.length === 0) messages.push({ role: "assistant", content: "ok" });
    else messages.push({ role: "assistant", content: t.assistant, ...(calls.length ? { tool_calls: calls } : {}) });
    calls.forEach((c, k) => messages.push({ role: "tool", tool_call_id: c.id, content: t.calls[k]!.result }));
  });
  const names = [...new Set(turns.flatMap((t) => t.calls.map((c) => c.name)))];
  return {
    model: "client-model",
    messages,
    ...(names.length ? { tools: names.map((name) => ({ type: "function", function: { name, parameters: { type: "object", properties: {} } } })) } : {}),
  };
}

type Item = [string, unknown];
function textOf(content: unknown): string[] {
  if (typeof content === "string") return [content];
  if (Array.isArray(content)) return content.map((p) => (p as { text?: string }).text ?? "");
  return [];
}
/** What must survive, in order: (role, text), (call, name, arguments), (result, text), and the result→call links. */
function essentials(body: Record<string, unknown>): { items: Item[]; links: boolean } {
  const items: Item[] = [];
  const ids = new Map<string, string>();
  let links = true;
  for (const m of body.messages as Record<string, unknown>[]) {
    const role = m.role as string;
    if (role === "tool") {
      items.push(["result", textOf(m.content).join("")]);
      if (!ids.has(m.tool_call_id as string)) links = false;
      continue;
    }
    for (const t of textOf(m.content)) if (t !== "") items.push([role === "developer" ? "system" : role, t]);
    for (const c of (m.tool_calls as { id: string; function: { name: string; arguments: string } }[] | undefined) ?? []) {
      ids.set(c.id, c.function.name);
      items.push(["call", [c.function.name, JSON.parse(c.function.arguments)]]);
    }
  }
  return { items, links };
}

describe("translators (round-trip properties)", () => {
  for (const target of TARGETS) {
    it(`an OpenAI request through ${target} and back keeps every turn's text and role, the tool calls and arguments, the results`, () => {
      fc.assert(
        fc.property(fc.option(text, { nil: null }), fc.array(turn, { minLength: 1, maxLength: 4 }), (system, turns) => {
          const original = chatRequest(system, turns);
          const there = translateRequest("openai", target, original, { model: "client-model", upstreamModel: "upstream-model" });
          const back = translateRequest(target, "openai", there, { model: "client-model", upstreamModel: "client-model" });
          const before = essentials(original);
          const after = essentials(back);
          // Adjacent texts of one role may be merged into one message, never reordered or lost.
          expect(join(after.items)).toEqual(join(before.items));
          expect(after.links).toBe(true);
        }),
        RUNS,
      );
    });

    it(`an OpenAI response through ${target} and back keeps the text, the tool calls and arguments, and the usage numbers`, () => {
      fc.assert(
        fc.property(
          fc.option(text, { nil: null }),
          fc.array(fc.record({ name: toolName, args }), { maxLength: 3 }),
          fc.nat({ max: 10_000_000 }),
          fc.nat({ max: 1_000_000 }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          (content, calls, prompt, completion, cachedShare) => {
            fc.pre(content !== null || calls.length > 0);
            const cached = Math.floor(prompt * cachedShare);
            const original = {
              id: "chatcmpl_up",
              object: "chat.completion",
              created: 1700000000,
              model: "upstream-model",
              choices: [
                {
                  index: 0,
                  message: {
                    role: "assistant",
                    content,
                    ...(calls.length
                      ? {
                          tool_calls: calls.map((c, i) => ({
                            id: `call_${i}`,
                            type: "function",
                            function: { name: c.name, arguments: JSON.stringify(c.args) },
                          })),
                        }
                      : {}),
                  },
                  finish_reason: calls.length ? "tool_calls" : "stop",
                },
              ],
              usage: {
                prompt_tokens: prompt,
                completion_tokens: completion,
                total_tokens: prompt + completion,
                prompt_tokens_details: { cached_tokens: cached },
              },
            };
            const there = translateResponse("openai", target, original, CTX);
            const back = translateResponse(target, "openai", there, CTX) as typeof original;
            const message = back.choices[0]!.message as { content: string | null; tool_calls?: { function: { name: string; arguments: string } }[] };
            expect(message.content ?? null).toBe(content);
            expect((message.tool_calls ?? []).map((c) => [c.function.name, JSON.parse(c.function.arguments)])).toEqual(calls.map((c) => [c.name, c.args]));
            expect(back.choices[0]!.finish_reason).toBe(calls.length ? "tool_calls" : "stop");
            expect(back.usage).toMatchObject({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });
            expect(back.usage.prompt_tokens_details?.cached_tokens ?? 0).toBe(cached);
          },
        ),
        RUNS,
      );
    });
  }
});

/** Adjacent (role, text) items of one role joined, as a protocol that merges turns would. */
function join(items: Item[]): Item[] {
  const out: Item[] = [];
  for (const [kind, value] of items) {
    const prev = out[out.length - 1];
    if (prev && prev[0] === kind && typeof value === "string" && kind !== "result" && kind !== "call") prev[1] = `${prev[1] as string}\n${value}`;
    else out.push([kind, value]);
  }
  return out;
}
