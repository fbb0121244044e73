/**
 * What the mock "model" answers: a pure function of the normalised conversation, identical for
 * all three protocols so a request translated by the gateway gets the same answer from any of them.
 */
import { MAX_OUTPUT_TOKENS, splitToolArguments } from "./tokens";
import { asArray, asNumber, asRecord, asString } from "./util";

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
  /** JSON Schema the answer must follow (structured output); the text reply is then JSON. */
  schema?: unknown;
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
  const pieces = leadingPieces(lastText).slice(0, outputTokens);
  if (pieces.length < outputTokens) pieces.push(...FILLER_PIECES.slice(0, outputTokens - pieces.length));
  return pieces;
}

/**
 * The pieces of a text reply of no set length, as many as the caller takes: `mockReplyPieces` for
 * every length at once (past MAX_OUTPUT_TOKENS the filler words go on repeating).
 */
export function* mockReplyPiecesWithoutEnd(lastText: string): Generator<string, never> {
  yield* leadingPieces(lastText);
  for (let i = 0; ; i++) yield FILLER_PIECES[i % FILLER.length]!;
}

/** "Mock reply to: <first 40 characters of the last message>", one piece per word. */
function leadingPieces(lastText: string): string[] {
  const echo = Array.from(lastText.slice(0, ECHO_CHARS * 2))
    .slice(0, ECHO_CHARS)
    .join("");
  const words = [...REPLY_PREFIX, ...(echo.match(/\S+/g) ?? [])];
  return words.map((word, i) => (i === 0 ? word : ` ${word}`));
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
  const command = commandRequest(conversation);
  const tool = command?.tool ?? chooseTool(conversation);
  if (tool) {
    const args = mockToolArguments(tool.schema);
    if (command) Object.assign(args, commandArguments(tool.schema, command.command));
    const argumentsJson = JSON.stringify(args);
    const pieces = splitToolArguments(argumentsJson);
    return { kind: "tool", name: tool.name, args, argumentsJson, pieces, outputTokens: pieces.length };
  }
  if (conversation.schema !== undefined) {
    // Structured output: JSON that matches the schema, streamed in pieces like tool arguments.
    const json = JSON.stringify(mockJsonForSchema(conversation.schema));
    const pieces = splitToolArguments(json);
    return { kind: "text", text: json, pieces, outputTokens: pieces.length };
  }
  const pieces = mockReplyPieces(conversation.lastText, conversation.outputTokens);
  return { kind: "text", text: pieces.join(""), pieces, outputTokens: pieces.length };
}

/** The words that ask the mock to run a shell command through the client's command tool. */
export const MOCK_COMMAND_TRIGGER = "run the command";
/** The names coding agents give their command tool (Codex CLI: exec_command, earlier shell). */
const COMMAND_TOOLS = ["exec_command", "shell_command", "shell", "local_shell", "bash", "Bash"];

/**
 * "run the command: echo hi" in the user's last message, with a command tool declared → a call
 * of that tool with `echo hi` (default `echo mock`), so an agent's tool round trip can be tested.
 */
function commandRequest({ tools, toolChoice, lastText, lastIsUserText }: Conversation): { tool: ToolDefinition; command: string } | undefined {
  if (!lastIsUserText || toolChoice.mode === "none") return undefined;
  const at = lastText.toLowerCase().lastIndexOf(MOCK_COMMAND_TRIGGER);
  if (at < 0) return undefined;
  const tool = COMMAND_TOOLS.map((name) => tools.find((t) => t.name === name)).find((t) => t !== undefined);
  if (!tool) return undefined;
  const rest = lastText
    .slice(at + MOCK_COMMAND_TRIGGER.length)
    .replace(/^\s*:?\s*/, "")
    .split("\n")[0]!
    .replace(/^`+|`+$/g, "")
    .trim();
  return { tool, command: rest || "echo mock" };
}

function commandArguments(schema: unknown, command: string): Record<string, unknown> {
  const properties = asRecord(asRecord(schema)?.properties) ?? {};
  for (const key of ["cmd", "command"]) {
    const property = asRecord(properties[key]);
    if (!property) continue;
    return { [key]: property.type === "array" ? ["bash", "-lc", command] : command };
  }
  return {};
}

/**
 * A value that matches a JSON Schema, for structured-output requests: objects with every
 * property (required ones first), the first enum or const value, the first usable anyOf/oneOf
 * branch, arrays of max(minItems, 1) items, strings of the format asked for and at least minLength
 * long, numbers at their minimum. Local `$ref`s (`#/$defs/…`, `#/definitions/…`) are followed.
 */
export function mockJsonForSchema(schema: unknown): unknown {
  const root = asRecord(schema) ?? {};
  return jsonFor(root, root, "value", 0);
}

function jsonFor(node: Record<string, unknown>, root: Record<string, unknown>, name: string, depth: number): unknown {
  if (depth > 8) return null;
  const ref = asString(node.$ref);
  if (ref?.startsWith("#/")) {
    let target: unknown = root;
    for (const key of ref.slice(2).split("/")) target = asRecord(target)?.[key.replace(/~1/g, "/").replace(/~0/g, "~")];
    return jsonFor(asRecord(target) ?? {}, root, name, depth + 1);
  }
  if (node.const !== undefined) return node.const;
  const enumValues = asArray(node.enum);
  if (enumValues.length > 0) return enumValues[0];
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const branches = asArray(node[key]).map((b) => asRecord(b) ?? {});
    const branch = branches.find((b) => b.type !== "null") ?? branches[0];
    if (branch) return jsonFor(key === "allOf" ? Object.assign({}, ...branches) : branch, root, name, depth + 1);
  }
  const rawType = node.type;
  const type = asString(Array.isArray(rawType) ? rawType.find((t) => t !== "null") : rawType) ?? (node.properties ? "object" : node.items ? "array" : "string");
  switch (type.toLowerCase()) {
    case "object": {
      const properties = asRecord(node.properties) ?? {};
      const result: Record<string, unknown> = {};
      for (const key of Object.keys(properties)) result[key] = jsonFor(asRecord(properties[key]) ?? {}, root, key, depth + 1);
      return result;
    }
    case "array": {
      const count = Math.max(1, asNumber(node.minItems) ?? 1);
      const items = asRecord(node.items) ?? {};
      return Array.from({ length: Math.min(count, 10) }, () => jsonFor(items, root, name, depth + 1));
    }
    case "integer":
      return Math.ceil(asNumber(node.minimum) ?? asNumber(node.exclusiveMinimum) ?? 1);
    case "number":
      return asNumber(node.minimum) ?? 1;
    case "boolean":
      return true;
    case "null":
      return null;
    default: {
      const format = asString(node.format);
      if (format === "date-time") return "2026-01-01T00:00:00Z";
      if (format === "date") return "2026-01-01";
      if (format === "email") return "mock@example.com";
      if (format === "uuid") return "00000000-0000-4000-8000-000000000000";
      if (format === "uri" || format === "url") return "https://example.com/";
      const text = /location|city|place|address/i.test(name) ? "Paris" : "mock";
      return text.padEnd(asNumber(node.minLength) ?? 0, "x");
    }
  }
}

function chooseTool({ tools, toolChoice, lastText, lastIsUserText }: Conversation): ToolDefinition | undefined {
  if (tools.length === 0 || toolChoice.mode === "none") return undefined;
  if (toolChoice.mode === "required") {
    return tools.find((t) => t.name === toolChoice.name) ?? tools[0];
  }
  return lastIsUserText && /weather/i.test(lastText) ? tools[0] : undefined;
}
