import { parseArgs, type ParseArgsConfig } from "node:util";
import type { Config, Secrets } from "@/lib/config";
import type { Database } from "@/lib/db";

// The operations CLI: every command is a small object with its options, help text and a run
// function that returns data plus a human summary. The same registry runs in the CLI process or,
// when the embedded database is held by a running server, inside that server (cli/control-socket).

export interface CommandContext {
  config: Config;
  /** Opened on first use: `--help` and usage errors never touch the database. */
  database(): Database;
  secrets(): Secrets;
}

export interface CommandResult {
  /** What `--json` prints (one object). */
  data: Record<string, unknown>;
  /** What a person reads. */
  text: string;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

export interface Command {
  /** Words that select the command, e.g. ["plan", "add"]. */
  path: string[];
  summary: string;
  usage: string;
  /** Extra help lines (options explained, examples). */
  help?: string;
  options?: Options;
  /** How many positional arguments it takes. */
  positionals?: { min: number; max: number; names: string[] };
  run(ctx: CommandContext, args: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] }): Promise<CommandResult>;
}

/** A failure the user can fix; printed as one line, no stack. Exit 2 for usage errors. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

export interface Output {
  exitCode: number;
  stdout: string;
  stderr: string;
}

const GLOBAL_OPTIONS: Options = { json: { type: "boolean" }, help: { type: "boolean", short: "h" } };

function findCommand(commands: Command[], argv: string[]): { command?: Command; rest: string[] } {
  let best: Command | undefined;
  for (const command of commands) {
    if (command.path.every((word, i) => argv[i] === word) && (!best || command.path.length > best.path.length)) best = command;
  }
  return { command: best, rest: best ? argv.slice(best.path.length) : argv };
}

export function formatHelp(commands: Command[], command?: Command): string {
  if (command) {
    return [`Usage: npm run gatehouse -- ${command.usage} [--json]`, "", command.summary, ...(command.help ? ["", command.help] : [])].join("\n");
  }
  const width = Math.max(...commands.map((c) => c.path.join(" ").length));
  return [
    "Usage: npm run gatehouse -- <command> [options] [--json]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.path.join(" ").padEnd(width)}  ${c.summary}`),
    "",
    "Add --help after a command for its options; --json prints one JSON object.",
  ].join("\n");
}

function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

/** Parses argv, runs the command and returns what to print. Never throws. */
export async function runCommand(commands: Command[], argv: string[], ctx: CommandContext): Promise<Output> {
  const json = argv.includes("--json");
  const fail = (message: string, exitCode: number): Output =>
    json ? { exitCode, stdout: `${toJson({ ok: false, error: message })}\n`, stderr: "" } : { exitCode, stdout: "", stderr: `${message}\n` };

  const { command, rest } = findCommand(commands, argv);
  if (!command) {
    if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
      return { exitCode: 0, stdout: `${formatHelp(commands)}\n`, stderr: "" };
    }
    return fail(`Unknown command "${argv.filter((a) => !a.startsWith("-")).join(" ")}".\n\n${formatHelp(commands)}`, 2);
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (err) {
    return fail(`${(err as Error).message}\n\n${formatHelp(commands, command)}`, 2);
  }
  if (parsed.values.help) return { exitCode: 0, stdout: `${formatHelp(commands, command)}\n`, stderr: "" };
  const limits = command.positionals ?? { min: 0, max: 0, names: [] };
  if (parsed.positionals.length < limits.min || parsed.positionals.length > limits.max) {
    const expected = limits.names.length ? limits.names.join(" ") : "no positional arguments";
    return fail(`Expected ${expected}.\n\n${formatHelp(commands, command)}`, 2);
  }
  try {
    const result = await command.run(ctx, {
      values: parsed.values as Record<string, string | boolean | string[] | undefined>,
      positionals: parsed.positionals,
    });
    return json ? { exitCode: 0, stdout: `${toJson({ ok: true, ...result.data })}\n`, stderr: "" } : { exitCode: 0, stdout: `${result.text}\n`, stderr: "" };
  } catch (err) {
    if (err instanceof CliError) return fail(err.message, err.exitCode);
    if (err && typeof err === "object" && "issues" in err && Array.isArray((err as { issues: unknown[] }).issues)) {
      const issues = (err as { issues: { path: PropertyKey[]; message: string }[] }).issues;
      return fail(issues.map((i) => `${i.path.map(String).join(".") || "input"}: ${i.message}`).join("\n"), 2);
    }
    if (err && typeof err === "object" && (err as { code?: unknown }).code === "P2021") {
      return fail("The database has no tables yet. Run: npm run gatehouse -- migrate", 1);
    }
    if (err instanceof Error && err.name !== "Error") return fail(err.message, 1);
    return fail(`Failed: ${err instanceof Error ? err.message : String(err)}`, 1);
  }
}

// --- helpers for commands ---------------------------------------------------------------

export function requireString(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== "string" || v.trim() === "") throw new CliError(`--${name} is required.`, 2);
  return v.trim();
}

export function optionalNumber(values: Record<string, unknown>, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== "string" || v.trim() === "" || !Number.isFinite(n)) throw new CliError(`--${name} must be a number (got "${String(v)}").`, 2);
  return n;
}

export function csv(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Formats rows as an aligned text table. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}
