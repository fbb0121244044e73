// The newest majors of the official SDKs, each with its default options (only the key and the base
// URL a buyer is told to set), against a running gateway. Run by e2e/node24.spec.ts on the Node
// this folder pins, with Node's own test runner (it runs TypeScript as is):
//   GATEHOUSE_URL=… GATEHOUSE_KEY=… REQUEST_IDS_FILE=… node --test sdks.test.ts
// Every answered call's x-request-id goes to REQUEST_IDS_FILE, so the spec can check each was metered.
import assert from "node:assert/strict";
import { appendFileSync } from "node:fs";
import { test } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleGenAI } from "@google/genai";
import OpenAI from "openai";

const base = process.env.GATEHOUSE_URL!;
const apiKey = process.env.GATEHOUSE_KEY!;
const idsFile = process.env.REQUEST_IDS_FILE!;
assert.ok(base && apiKey && idsFile, "GATEHOUSE_URL, GATEHOUSE_KEY and REQUEST_IDS_FILE are required");

function metered(requestId: string | null | undefined, model: string) {
  assert.match(requestId ?? "", /^req_/);
  appendFileSync(idsFile, `${requestId} ${model}\n`);
}

test(`runs on Node ${process.versions.node}`, () => {
  assert.ok(Number(process.versions.node.split(".")[0]) >= 24);
});

test("openai: chat (a Claude model), a chat stream, the Responses API and the model list", async () => {
  const openai = new OpenAI({ apiKey, baseURL: `${base}/v1` });
  const { data: chat, response } = await openai.chat.completions
    .create({ model: "claude-sonnet-4-6", max_tokens: 6, messages: [{ role: "user", content: "hello from openai" }] })
    .withResponse();
  assert.match(chat.choices[0]?.message.content ?? "", /^Mock reply to: hello from openai/);
  assert.equal(chat.usage?.completion_tokens, 6);
  metered(response.headers.get("x-request-id"), "claude-sonnet-4-6");

  const { data: stream, response: streamResponse } = await openai.chat.completions
    .create({ model: "gpt-4.1-mini", max_tokens: 8, stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "stream it" }] })
    .withResponse();
  let text = "";
  let outputTokens = 0;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? "";
    if (chunk.usage) outputTokens = chunk.usage.completion_tokens;
  }
  assert.match(text, /^Mock reply to: stream it/);
  assert.equal(outputTokens, 8);
  metered(streamResponse.headers.get("x-request-id"), "gpt-4.1-mini");

  const { data: answer, response: responsesResponse } = await openai.responses
    .create({ model: "claude-sonnet-4-6", input: "hello responses", max_output_tokens: 5 })
    .withResponse();
  assert.match(answer.output_text, /^Mock reply to: hello responses/);
  assert.equal(answer.usage?.output_tokens, 5);
  metered(responsesResponse.headers.get("x-request-id"), "claude-sonnet-4-6");

  const ids: string[] = [];
  for await (const model of openai.models.list()) ids.push(model.id);
  assert.ok(ids.includes("gpt-4.1-mini") && ids.includes("claude-sonnet-4-6") && ids.includes("gemini-2.5-flash"), ids.join(", "));
});

test("@anthropic-ai/sdk: a message, a stream (a GPT model) and the model list", async () => {
  const anthropic = new Anthropic({ apiKey, baseURL: base });
  const { data: message, response } = await anthropic.messages
    .create({ model: "claude-sonnet-4-6", max_tokens: 6, messages: [{ role: "user", content: "hello from anthropic" }] })
    .withResponse();
  assert.equal(message.content[0]?.type, "text");
  assert.match(message.content[0]?.type === "text" ? message.content[0].text : "", /^Mock reply to: hello from anthropic/);
  metered(response.headers.get("x-request-id"), "claude-sonnet-4-6");

  const stream = anthropic.messages.stream({ model: "gpt-4.1-mini", max_tokens: 9, messages: [{ role: "user", content: "stream across" }] });
  const deltas: string[] = [];
  stream.on("text", (delta) => deltas.push(delta));
  const { response: streamResponse } = await stream.withResponse();
  const final = await stream.finalMessage();
  assert.ok(deltas.length > 3);
  assert.equal(final.usage.output_tokens, 9);
  metered(streamResponse.headers.get("x-request-id"), "gpt-4.1-mini");

  const page = await anthropic.models.list();
  assert.ok(page.data.some((m) => m.id === "claude-sonnet-4-6"));
});

test("@google/genai 3 with nothing but baseUrl (its default API version is v1): generate, stream, count, embed", async () => {
  const ai = new GoogleGenAI({ apiKey, httpOptions: { baseUrl: base } });
  const answer = await ai.models.generateContent({ model: "gemini-2.5-flash", contents: "hello genai 3", config: { maxOutputTokens: 7 } });
  assert.match(answer.text ?? "", /^Mock reply to: hello genai 3/);
  assert.equal(answer.usageMetadata?.candidatesTokenCount, 7);
  metered(answer.sdkHttpResponse?.headers?.["x-request-id"], "gemini-2.5-flash");

  const parts: string[] = [];
  for await (const chunk of await ai.models.generateContentStream({ model: "claude-sonnet-4-6", contents: "stream genai", config: { maxOutputTokens: 6 } })) {
    parts.push(chunk.text ?? "");
  }
  assert.ok(parts.length > 3);
  assert.match(parts.join(""), /^Mock reply to: stream genai/);

  const counted = await ai.models.countTokens({ model: "gemini-2.5-flash", contents: "one two three" });
  assert.ok((counted.totalTokens ?? 0) > 2);

  const embedded = await ai.models.embedContent({ model: "gemini-embedding-001", contents: ["one two three"] });
  assert.ok((embedded.embeddings?.[0]?.values?.length ?? 0) > 0);
});
