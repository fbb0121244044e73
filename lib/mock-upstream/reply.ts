/**
 * What the mock "model" answers: a pure function of the normalised conversation, identical for
 * all three protocols so a request translated by the gateway gets the same answer from any of them.
 */
import { MAX_OUTPUT_TOKENS, splitToolArguments } from "./tokens";
import { asArray, asRecord, asString } from "./util";

export interface ToolDefinition {
  name: string;
  /** JSON schema of the arguments (OpenAI `parameters`, Anthropic `input_schema`, Gemini `parameters`). */
  schema: unknown;
}

/** `required` with a name forces that tool; without one, the first tool. */
export type ToolChoice = { mode: "auto" } | { mode: "none" } | { mode: "required"; name?: string };

export interface Conversation {
  /** Text of the final message (user text, or a tool result). */
  lastText: string;
  /** True when the final message is the user's own text rather than a tool result. */
  lastIsUserText: boolean;
  tools: ToolDefinition[];
  toolChoice: ToolChoice;
  outputTokens: number;
}

export type ReplyPlan =
  | { kind: "text"; text: string; pieces: string[]; outputTokens: number }
  | {
      kind: "tool";
      name: string;
      args: Record<string, unknown>;
      argumentsJson: string;
      pieces: string[];
      outputTokens: number;
    };

const REPLY_PREFIX = ["Mock", "reply", "to:"];
const ECHO_CHARS = 40;
const FILLER = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua".split(" ");
// Every reply is a prefix plus a slice of this list: built once, sliced per request.
const FILLER_PIECES: string[] = Array.from({ length: MAX_OUTPUT_TOKENS }, (_, i) => ` ${FILLER[i % FILLER.length]}`);

/** The words a text reply streams, one piece per token; joined they give the reply text. */
export function mockReplyPieces(lastText: string, outputTokens: number): string[] {
  const echo = Array.from(lastText.slice(0, ECHO_CHARS * 2))
    .slice(0, ECHO_CHARS)
    .join("");
  const words = [...REPLY_PREFIX, ...(echo.match(/\S+/g) ?? [])];
  const pieces = words.slice(0, outputTokens).map((word, i) => (i === 0 ? word : ` ${word}`));
  if (pieces.length < outputTokens) pieces.push(...FILLER_PIECES.slice(0, outputTokens - pieces.length));
  return pieces;
}

/** The full text reply: "Mock reply to: <first 40 characters of the last message> lorem ipsum …", `outputTokens` words long. */
export function mockReplyText(lastText: string, outputTokens: number): string {
  return mockReplyPieces(lastText, outputTokens).join("");
}

/**
 * Deterministic arguments for a tool: the schema's required properties (all properties when none
 * are required), each with the first enum value or a fixed value of its type. Location-like string
 * properties get "Paris", other strings "mock".
 */
export function mockToolArguments(schema: unknown): Record<string, unknown> {
  return objectFor(asRecord(schema), 0);
}

function objectFor(schema: Record<string, unknown> | undefined, depth: number): Record<string, unknown> {
  const properties = asRecord(schema?.properties) ?? {};
  const required = asArray(schema?.required).filter((k): k is string => typeof k === "string");
  const keys = required.length > 0 ? required : Object.keys(properties);
  const result: Record<string, unknown> = {};
  for (const key of keys) result[key] = valueFor(key, asRecord(properties[key]), depth + 1);
  return result;
}

function valueFor(name: string, schema: Record<string, unknown> | undefined, depth: number): unknown {
  const enumValues = asArray(schema?.enum);
  if (enumValues.length > 0) return enumValues[0];
  const rawType = schema?.type;
  const type = (asString(Array.isArray(rawType) ? rawType.find((t) => t !== "null") : rawType) ?? "string").toLowerCase();
  switch (type) {
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return true;
    case "array":
      return [];
    case "object":
      return depth < 4 ? objectFor(schema, depth) : {};
    default:
      return /location|city|place|address/i.test(name) ? "Paris" : "mock";
  }
}

/**
 * A tool is called when the request has tools, tool choice does not forbid it, and either the
 * choice forces a call or the user's last message mentions "weather". A tool result as the last
 * message gets a text answer, so a client's tool loop ends.
 */
export function planReply(conversation: Conversation): ReplyPlan {
  const tool = chooseTool(conversation);
  if (tool) {
    const args = mockToolArguments(tool.schema);
    const argumentsJson = JSON.stringify(args);
    const pieces = splitToolArguments(argumentsJson);
    return { kind: "tool", name: tool.name, args, argumentsJson, pieces, outputTokens: pieces.length };
  }
  const pieces = mockReplyPieces(conversation.lastText, conversation.outputTokens);
  return { kind: "text", text: pieces.join(""), pieces, outputTokens: pieces.length };
}

function chooseTool({ tools, toolChoice, lastText, lastIsUserText }: Conversation): ToolDefinition | undefined {
  if (tools.length === 0 || toolChoice.mode === "none") return undefined;
  if (toolChoice.mode === "required") {
    return tools.find((t) => t.name === toolChoice.name) ?? tools[0];
  }
  return lastIsUserText && /weather/i.test(lastText) ? tools[0] : undefined;
}
