// Test support: fixture loading, SSE splitting with eventsource-parser (as the gateway does), and
// the providers' official SDK clients fed a prepared SSE body through their `fetch` option.

import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { createParser } from "eventsource-parser";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { GoogleGenAI } from "@google/genai";
import type { Protocol } from "./canonical";

export const FIXTURES = join(import.meta.dirname, "fixtures");
/** The protocols channels speak (a Responses client reaches OpenAI untranslated; responses.test.ts covers it). */
export type ChannelProtocol = Exclude<Protocol, "responses">;
export const PROTOCOLS: ChannelProtocol[] = ["openai", "anthropic", "gemini"];
export const PAIRS: [ChannelProtocol, ChannelProtocol][] = PROTOCOLS.flatMap((a) =>
  PROTOCOLS.filter((b) => b !== a).map((b): [ChannelProtocol, ChannelProtocol] => [a, b]),
);

/** The model a Gemini client names in its URL, passed to parseRequest. */
export const GEMINI_URL_MODEL = "gemini-2.0-flash";
export const CTX = { model: "client-model", id: "resp_gatehouse_1", created: 1700000000 };

export function fixture(protocol: Protocol, name: string): Record<string, unknown> {
  const file = JSON.parse(readFileSync(join(FIXTURES, protocol, `${name}.json`), "utf8")) as { source: string; body: Record<string, unknown> };
  if (!file.source) throw new Error(`${protocol}/${name}.json has no source`);
  return file.body;
}

export function fixtureNames(protocol: Protocol, prefix: string): string[] {
  return readdirSync(join(FIXTURES, protocol))
    .filter((f) => f.startsWith(prefix) && f.endsWith(".json"))
    .map((f) => f.replace(/\.json$/, ""));
}

export function expected(from: Protocol, to: Protocol, name: string): { body?: Record<string, unknown>; error?: { field: string } } | null {
  const path = join(FIXTURES, "expected", `${from}-to-${to}`, `${name}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as { body?: Record<string, unknown>; error?: { field: string } }) : null;
}

export function sseText(protocol: Protocol, name: string): string {
  return readFileSync(join(FIXTURES, protocol, `${name}.sse`), "utf8");
}

/** SSE text → events, as eventsource-parser yields them (comments skipped). */
export function parseSse(text: string): { event?: string; data: string }[] {
  const events: { event?: string; data: string }[] = [];
  const parser = createParser({ onEvent: (e) => events.push({ event: e.event, data: e.data }) });
  parser.feed(text);
  return events;
}

const sseResponse =
  (body: string, contentType = "text/event-stream") =>
  async () =>
    new Response(body, { status: 200, headers: { "content-type": contentType, "x-request-id": "req_test" } });

/** Reads an OpenAI SSE body with openai-node's ChatCompletionStream. */
export async function readWithOpenAI(body: string) {
  const client = new OpenAI({ apiKey: "sk-test", baseURL: "http://gateway.test/v1", fetch: sseResponse(body), maxRetries: 0 });
  const stream = client.chat.completions.stream({ model: CTX.model, messages: [{ role: "user", content: "hi" }], stream_options: { include_usage: true } });
  const completion = await stream.finalChatCompletion();
  return completion;
}

/** Reads an Anthropic SSE body with the Anthropic SDK's MessageStream. */
export async function readWithAnthropic(body: string) {
  const client = new Anthropic({ apiKey: "sk-ant-test", baseURL: "http://gateway.test", fetch: sseResponse(body), maxRetries: 0 });
  const stream = client.messages.stream({ model: CTX.model, max_tokens: 1024, messages: [{ role: "user", content: "hi" }] });
  const texts: string[] = [];
  stream.on("text", (t) => texts.push(t));
  const message = await stream.finalMessage();
  return { message, texts };
}

/** Reads a Gemini alt=sse body with @google/genai's generateContentStream. */
export async function readWithGemini(body: string) {
  const ai = new GoogleGenAI({ apiKey: "test-key", httpOptions: { baseUrl: "http://gateway.test", fetch: sseResponse(body) } });
  const chunks = [];
  for await (const chunk of await ai.models.generateContentStream({ model: CTX.model, contents: "hi" })) chunks.push(chunk);
  return chunks;
}
