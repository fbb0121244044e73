// The setup guide's snippets, built from the public origin (GATEHOUSE_PUBLIC_URL). OpenAI-style
// clients take "<origin>/v1"; the Anthropic SDK and Claude Code take the bare origin (they add
// /v1/messages themselves). Pure: unit-tested, and the page only renders what this returns.

export const KEY_PLACEHOLDER = "PASTE_YOUR_KEY_HERE";

export interface Snippet {
  id: string;
  title: string;
  label: string;
  intro: string;
  code: string;
}

export interface SnippetOptions {
  origin: string;
  /** A model the buyer's plan covers, for the examples. */
  openaiModel?: string;
  anthropicModel?: string;
  geminiModel?: string;
  /** The strongest Claude model of the plan: Claude Code's main model and its Opus choice. */
  claudeStrongest?: string;
  /** The strongest Sonnet of the plan (else the strongest Claude model): Claude Code's Sonnet choice. */
  claudeSonnet?: string;
  /** The fastest Claude model of the plan (a Haiku when it has one): Claude Code's background calls. */
  claudeFastest?: string;
}

export function buildSetupSnippets(options: SnippetOptions): Snippet[] {
  const origin = options.origin.replace(/\/+$/, "");
  const v1 = `${origin}/v1`;
  const key = KEY_PLACEHOLDER;
  const openaiModel = options.openaiModel ?? "gpt-4.1-mini";
  const anthropicModel = options.anthropicModel ?? "claude-sonnet-4-6";
  const geminiModel = options.geminiModel ?? "gemini-2.5-flash";
  const strongest = options.claudeStrongest ?? anthropicModel;
  const sonnet = options.claudeSonnet ?? strongest;
  const fastest = options.claudeFastest ?? strongest;
  return [
    {
      id: "env-bash",
      title: "Environment variables (macOS, Linux, WSL: bash or zsh)",
      label: "bash / zsh",
      intro:
        "Set these once per terminal; the SDKs and Claude Code read them. The last two are generic names for your own scripts. To keep them, add the same lines to ~/.bashrc or ~/.zshrc and open a new terminal.",
      code: [
        `export OPENAI_API_KEY="${key}"`,
        `export OPENAI_BASE_URL="${v1}"`,
        `export ANTHROPIC_AUTH_TOKEN="${key}"`,
        `export ANTHROPIC_BASE_URL="${origin}"`,
        `export API_KEY_VALUE="${key}"`,
        `export API_BASE_URL="${v1}"`,
      ].join("\n"),
    },
    {
      id: "env-powershell",
      title: "Environment variables (Windows PowerShell)",
      label: "PowerShell: this session",
      intro: "For the current PowerShell window only:",
      code: [
        `$env:OPENAI_API_KEY = "${key}"`,
        `$env:OPENAI_BASE_URL = "${v1}"`,
        `$env:ANTHROPIC_AUTH_TOKEN = "${key}"`,
        `$env:ANTHROPIC_BASE_URL = "${origin}"`,
        `$env:API_KEY_VALUE = "${key}"`,
        `$env:API_BASE_URL = "${v1}"`,
      ].join("\n"),
    },
    {
      id: "env-powershell-persistent",
      title: "Environment variables (Windows, kept for new windows)",
      label: "PowerShell: persistent (your user)",
      intro: "Stored for your Windows user; close and reopen PowerShell (and your editor) afterwards.",
      code: [
        `[Environment]::SetEnvironmentVariable("OPENAI_API_KEY", "${key}", "User")`,
        `[Environment]::SetEnvironmentVariable("OPENAI_BASE_URL", "${v1}", "User")`,
        `[Environment]::SetEnvironmentVariable("ANTHROPIC_AUTH_TOKEN", "${key}", "User")`,
        `[Environment]::SetEnvironmentVariable("ANTHROPIC_BASE_URL", "${origin}", "User")`,
        `[Environment]::SetEnvironmentVariable("API_KEY_VALUE", "${key}", "User")`,
        `[Environment]::SetEnvironmentVariable("API_BASE_URL", "${v1}", "User")`,
      ].join("\n"),
    },
    {
      id: "verify",
      title: "Verify your key",
      label: "curl",
      intro: "The first call shows your key's status, access window and time left; the second lists the models it may use.",
      code: [`curl ${v1}/key -H "Authorization: Bearer ${key}"`, `curl ${v1}/models -H "Authorization: Bearer ${key}"`].join("\n"),
    },
    {
      id: "curl-openai",
      title: "curl, OpenAI style",
      label: "curl: Chat Completions",
      intro: "Any model of your plan works here, including Claude and Gemini models: the gateway translates.",
      code: [
        `curl ${v1}/chat/completions \\`,
        `  -H "Authorization: Bearer ${key}" \\`,
        `  -H "Content-Type: application/json" \\`,
        `  -d '{"model":"${openaiModel}","messages":[{"role":"user","content":"Hello"}]}'`,
      ].join("\n"),
    },
    {
      id: "curl-anthropic",
      title: "curl, Anthropic style",
      label: "curl: Messages",
      intro: "The key goes in x-api-key (Authorization: Bearer works too).",
      code: [
        `curl ${v1}/messages \\`,
        `  -H "x-api-key: ${key}" \\`,
        `  -H "anthropic-version: 2023-06-01" \\`,
        `  -H "Content-Type: application/json" \\`,
        `  -d '{"model":"${anthropicModel}","max_tokens":256,"messages":[{"role":"user","content":"Hello"}]}'`,
      ].join("\n"),
    },
    {
      id: "openai-python",
      title: "OpenAI SDK (Python)",
      label: "Python",
      intro: "The base URL ends in /v1. With OPENAI_API_KEY and OPENAI_BASE_URL set, OpenAI() needs no arguments.",
      code: [
        "from openai import OpenAI",
        "",
        `client = OpenAI(api_key="${key}", base_url="${v1}")`,
        "reply = client.chat.completions.create(",
        `    model="${openaiModel}",`,
        '    messages=[{"role": "user", "content": "Hello"}],',
        ")",
        "print(reply.choices[0].message.content)",
      ].join("\n"),
    },
    {
      id: "openai-js",
      title: "OpenAI SDK (JavaScript / TypeScript)",
      label: "JavaScript",
      intro: "The base URL ends in /v1.",
      code: [
        'import OpenAI from "openai";',
        "",
        `const client = new OpenAI({ apiKey: "${key}", baseURL: "${v1}" });`,
        "const reply = await client.chat.completions.create({",
        `  model: "${openaiModel}",`,
        '  messages: [{ role: "user", content: "Hello" }],',
        "});",
        "console.log(reply.choices[0].message.content);",
      ].join("\n"),
    },
    {
      id: "anthropic-sdk",
      title: "Anthropic SDK (Python)",
      label: "Python",
      intro: "The Anthropic SDK takes the bare origin, without /v1.",
      code: [
        "import anthropic",
        "",
        `client = anthropic.Anthropic(api_key="${key}", base_url="${origin}")`,
        "message = client.messages.create(",
        `    model="${anthropicModel}",`,
        "    max_tokens=256,",
        '    messages=[{"role": "user", "content": "Hello"}],',
        ")",
        "print(message.content[0].text)",
      ].join("\n"),
    },
    {
      id: "claude-code",
      title: "Claude Code",
      label: "bash / zsh",
      intro:
        "Give the key as ANTHROPIC_AUTH_TOKEN, not ANTHROPIC_API_KEY: Claude Code 2.1 also sends a key given as ANTHROPIC_API_KEY to Anthropic's own servers when it exits. Each Claude Code release defaults to Anthropic's newest models, which your plan may not include: the model lines pin Claude Code to your plan's own — its strongest Claude model for the main work and the Opus and Sonnet choices, its fastest for background tasks — so a plain `claude` works. CLAUDE_CODE_DISABLE_LEGACY_MODEL_REMAP=1 stops it from renaming older model ids to newer ones.",
      code: [
        `export ANTHROPIC_BASE_URL="${origin}"`,
        `export ANTHROPIC_AUTH_TOKEN="${key}"`,
        `export ANTHROPIC_MODEL="${strongest}"`,
        `export ANTHROPIC_DEFAULT_OPUS_MODEL="${strongest}"`,
        `export ANTHROPIC_DEFAULT_SONNET_MODEL="${sonnet}"`,
        `export ANTHROPIC_DEFAULT_HAIKU_MODEL="${fastest}"`,
        "export CLAUDE_CODE_DISABLE_LEGACY_MODEL_REMAP=1",
        "claude",
      ].join("\n"),
    },
    {
      id: "claude-code-status-line",
      title: "Claude Code status line: time and credit left",
      label: "bash / zsh",
      intro:
        "Shows how long your access lasts and the credit left under Claude Code's prompt, from GET /v1/key (asked at most every 30 seconds). Run these lines once, then add the statusLine entry to ~/.claude/settings.json. Needs Node.js 18 or newer.",
      code: [
        "mkdir -p ~/.claude",
        `cat > ~/.claude/${STATUS_LINE_FILE} <<'EOF'`,
        statusLineScript(origin),
        "EOF",
        "# ~/.claude/settings.json:",
        `#   "statusLine": { "type": "command", "command": "node ~/.claude/${STATUS_LINE_FILE}" }`,
      ].join("\n"),
    },
    {
      id: "codex-cli",
      title: "Codex CLI",
      label: "~/.codex/config.toml",
      intro: `Codex speaks OpenAI's Responses API (${v1}/responses). Add this provider to ~/.codex/config.toml, then export GATEHOUSE_KEY="${key}" in the shell you start codex from. OpenAI models of your plan pass through unchanged; Claude and Gemini models work too (the gateway translates), but Codex's web search is an OpenAI-hosted tool and is left out for them. Codex must send the whole conversation each turn, as it does by default: the gateway stores no responses, so previous_response_id is refused.`,
      code: [
        `model = "${openaiModel}"`,
        `model_provider = "gatehouse"`,
        "",
        "[model_providers.gatehouse]",
        `name = "Gatehouse"`,
        `base_url = "${v1}"`,
        `env_key = "GATEHOUSE_KEY"`,
        `wire_api = "responses"`,
        "",
        `# Or pick a model per run: codex --model ${anthropicModel}`,
      ].join("\n"),
    },
    {
      id: "gemini-cli",
      title: "Gemini CLI",
      label: "bash / zsh",
      intro:
        "Gemini CLI reads the address and key from the environment once its settings file selects API-key sign-in (the heredoc writes a new ~/.gemini/settings.json: if you already have one, add the security block to it instead). GEMINI_MODEL pins it to a model of your plan: without it, each release asks for Google's newest models. Any model of your plan works with -m, Claude and OpenAI models included (the gateway translates).",
      code: [
        "mkdir -p ~/.gemini",
        "cat > ~/.gemini/settings.json <<'EOF'",
        '{ "security": { "auth": { "selectedType": "gemini-api-key" } } }',
        "EOF",
        `export GOOGLE_GEMINI_BASE_URL="${origin}"`,
        `export GEMINI_API_KEY="${key}"`,
        `export GEMINI_MODEL="${geminiModel}"`,
        "gemini",
      ].join("\n"),
    },
    {
      id: "gemini",
      title: "Gemini (REST, key in the URL)",
      label: "curl",
      intro: "Gemini clients may pass the key as ?key= (or the x-goog-api-key header).",
      code: [
        `curl "${origin}/v1beta/models/${geminiModel}:generateContent?key=${key}" \\`,
        `  -H "Content-Type: application/json" \\`,
        `  -d '{"contents":[{"parts":[{"text":"Hello"}]}]}'`,
      ].join("\n"),
    },
  ];
}

type ExampleModels = Pick<SnippetOptions, "openaiModel" | "anthropicModel" | "geminiModel" | "claudeStrongest" | "claudeSonnet" | "claudeFastest">;

/**
 * Example models from the plan, so every snippet uses a model the buyer may call: the first of
 * each family for the SDK examples, and for Claude Code and Gemini CLI the plan's strongest and
 * fastest models by tier (Opus, Sonnet, Haiku; Pro, Flash, Flash-Lite), newest version first.
 */
export function exampleModels(models: readonly string[]): ExampleModels {
  const claude = byStrength(
    models.filter((m) => m.startsWith("claude-")),
    ["opus", "sonnet", "haiku"],
  );
  const sonnets = claude.filter((m) => m.includes("sonnet"));
  const gemini = byStrength(
    models.filter((m) => m.startsWith("gemini-") && !m.includes("embedding")),
    ["pro", "flash", "flash-lite"],
  );
  return {
    openaiModel: models.find((m) => m.startsWith("gpt-") || /^o\d/.test(m)),
    anthropicModel: models.find((m) => m.startsWith("claude-sonnet")) ?? models.find((m) => m.startsWith("claude-")),
    geminiModel: gemini[0],
    claudeStrongest: claude[0],
    claudeSonnet: sonnets[0],
    claudeFastest: claude.find((m) => m.includes("haiku")) ?? sonnets[0] ?? claude[0],
  };
}

/** Models strongest first: by tier (the order of `tiers`; unknown tiers last), then newest version, an undated id before a dated one. */
function byStrength(models: string[], tiers: string[]): string[] {
  const tierOf = (m: string) => {
    // The longest tier the id names ("flash-lite" rather than "flash").
    let best = tiers.length;
    tiers.forEach((t, i) => {
      if ((m.includes(`-${t}-`) || m.endsWith(`-${t}`)) && (best === tiers.length || t.length > tiers[best]!.length)) best = i;
    });
    return best;
  };
  const version = (m: string) =>
    m
      .split("-")
      .filter((part) => /^\d+(\.\d+)?$/.test(part) && part.length < 8)
      .flatMap((part) => part.split(".").map(Number));
  const dated = (m: string) => (/-\d{8}$/.test(m) ? 1 : 0);
  const compareVersions = (a: number[], b: number[]) => {
    for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (b[i] ?? 0) - (a[i] ?? 0);
    return 0;
  };
  return [...new Set(models)].sort((a, b) => tierOf(a) - tierOf(b) || compareVersions(version(a), version(b)) || dated(a) - dated(b) || a.localeCompare(b));
}

export const STATUS_LINE_FILE = "gatehouse-status.mjs";

/**
 * The status-line command for Claude Code. Claude Code runs it with its own environment (so the
 * key and base URL of the setup above), hands it the session as JSON on stdin, and shows the first
 * line it prints. It asks GET /v1/key at most every 30 seconds (a cache file in the temp
 * directory) and never prints the key.
 */
export function statusLineScript(origin: string): string {
  return [
    "// Gatehouse: time and credit left on this key, for Claude Code's status line.",
    'import { readFileSync, writeFileSync } from "node:fs";',
    'import { tmpdir } from "node:os";',
    'import { join } from "node:path";',
    `const base = (process.env.ANTHROPIC_BASE_URL || "${origin}").replace(/[/]+$/, "");`,
    'const key = process.env.ANTHROPIC_AUTH_TOKEN || "";',
    "const cache = join(tmpdir(), `gatehouse-status-${key.slice(-4)}.json`);",
    "let status;",
    "try {",
    '  const saved = JSON.parse(readFileSync(cache, "utf8"));',
    "  if (Date.now() - saved.at < 30_000) status = saved.status;",
    "} catch {}",
    "if (!status) {",
    "  try {",
    "    const res = await fetch(`${base}/v1/key`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(3000) });",
    "    status = await res.json();",
    "    writeFileSync(cache, JSON.stringify({ at: Date.now(), status }));",
    "  } catch {",
    '    console.log("Gatehouse: unreachable");',
    "    process.exit(0);",
    "  }",
    "}",
    "if (!status.order) {",
    '  console.log(`Gatehouse: ${status.error?.code ?? "unknown status"}`);',
    "  process.exit(0);",
    "}",
    "const s = status.order.remaining_seconds;",
    "const [d, h, m] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60)];",
    'const left = s <= 0 ? "access ended" : d ? `${d}d ${h}h left` : h ? `${h}h ${m}m left` : `${m}m left`;',
    'const credit = status.order.balance_usd == null ? "" : ` · $${status.order.balance_usd.toFixed(2)} credit`;',
    "console.log(`Gatehouse ${status.order.plan}: ${left}${credit}`);",
  ].join("\n");
}
