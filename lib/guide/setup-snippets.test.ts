import { describe, expect, it } from "vitest";
import { buildSetupSnippets, exampleModels, KEY_PLACEHOLDER } from "./setup-snippets";

describe("setup snippets", () => {
  const snippets = buildSetupSnippets({ origin: "https://gw.example.com/" });
  const code = (id: string) => snippets.find((s) => s.id === id)?.code ?? "";

  it("give OpenAI-style clients <origin>/v1 and Anthropic clients the bare origin", () => {
    expect(code("openai-python")).toContain('base_url="https://gw.example.com/v1"');
    expect(code("openai-js")).toContain('baseURL: "https://gw.example.com/v1"');
    expect(code("anthropic-sdk")).toContain('base_url="https://gw.example.com")');
    expect(code("claude-code")).toContain('ANTHROPIC_BASE_URL="https://gw.example.com"\n');
    expect(code("env-bash")).toContain('OPENAI_BASE_URL="https://gw.example.com/v1"');
    expect(code("gemini")).toContain("https://gw.example.com/v1beta/models/gemini-2.5-flash:generateContent?key=");
  });

  it("hand Claude Code the key as ANTHROPIC_AUTH_TOKEN, never ANTHROPIC_API_KEY", () => {
    const claude = code("claude-code");
    expect(claude).toContain("ANTHROPIC_AUTH_TOKEN");
    expect(claude).toContain("CLAUDE_CODE_DISABLE_LEGACY_MODEL_REMAP=1");
    for (const s of snippets) expect(s.code).not.toContain("ANTHROPIC_API_KEY");
  });

  it("give Codex CLI a config.toml provider on <origin>/v1 with the Responses wire API and the key from GATEHOUSE_KEY", () => {
    const codex = snippets.find((s) => s.id === "codex-cli")!;
    expect(codex.code).toContain('base_url = "https://gw.example.com/v1"\n');
    expect(codex.code).toContain('env_key = "GATEHOUSE_KEY"');
    expect(codex.code).toContain('wire_api = "responses"');
    expect(codex.code).toContain('model_provider = "gatehouse"');
    expect(codex.intro).toContain(`GATEHOUSE_KEY="${KEY_PLACEHOLDER}"`);
  });

  it("use the placeholder, never a key, and cover PowerShell session and persistent variables", () => {
    for (const s of snippets) expect(s.code).not.toMatch(/sk-gate-/);
    expect(code("env-powershell")).toContain(`$env:API_KEY_VALUE = "${KEY_PLACEHOLDER}"`);
    expect(code("env-powershell-persistent")).toContain('[Environment]::SetEnvironmentVariable("API_BASE_URL", "https://gw.example.com/v1", "User")');
    expect(code("verify")).toContain("/v1/key");
    expect(code("verify")).toContain("/v1/models");
  });

  it("pick example models from the plan", () => {
    expect(exampleModels(["gpt-4o-mini", "claude-haiku-4-5", "claude-sonnet-4-6", "gemini-2.5-pro"])).toEqual({
      openaiModel: "gpt-4o-mini",
      anthropicModel: "claude-sonnet-4-6",
      geminiModel: "gemini-2.5-pro",
      claudeStrongest: "claude-sonnet-4-6",
      claudeSonnet: "claude-sonnet-4-6",
      claudeFastest: "claude-haiku-4-5",
    });
    expect(buildSetupSnippets({ origin: "http://localhost:3000", ...exampleModels(["claude-haiku-4-5"]) }).find((s) => s.id === "claude-code")?.code).toContain(
      'ANTHROPIC_MODEL="claude-haiku-4-5"',
    );
  });

  it("pin Claude Code to the plan's strongest and fastest Claude models, so a plain claude asks for nothing else", () => {
    const pro = [
      "claude-3-5-haiku-20241022",
      "claude-haiku-4-5-20251001",
      "claude-haiku-4-5",
      "claude-sonnet-4-5",
      "claude-sonnet-4-6",
      "claude-opus-4-1",
      "gemini-2.5-flash-lite",
      "gemini-2.5-flash",
      "gemini-2.5-pro",
      "gemini-embedding-001",
    ];
    const claude = buildSetupSnippets({ origin: "https://gw.example.com", ...exampleModels(pro) }).find((s) => s.id === "claude-code")!.code;
    expect(claude).toContain('export ANTHROPIC_MODEL="claude-opus-4-1"\n');
    expect(claude).toContain('export ANTHROPIC_DEFAULT_OPUS_MODEL="claude-opus-4-1"\n');
    expect(claude).toContain('export ANTHROPIC_DEFAULT_SONNET_MODEL="claude-sonnet-4-6"\n');
    expect(claude).toContain('export ANTHROPIC_DEFAULT_HAIKU_MODEL="claude-haiku-4-5"\n');
    expect(claude.split("\n").at(-1)).toBe("claude");
    const gemini = buildSetupSnippets({ origin: "https://gw.example.com", ...exampleModels(pro) }).find((s) => s.id === "gemini-cli")!.code;
    expect(gemini).toContain('export GOOGLE_GEMINI_BASE_URL="https://gw.example.com"\n');
    expect(gemini).toContain(`export GEMINI_API_KEY="${KEY_PLACEHOLDER}"\n`);
    expect(gemini).toContain('export GEMINI_MODEL="gemini-2.5-pro"\n');
    expect(gemini).toContain('"selectedType": "gemini-api-key"');
    // A plan with one Claude model pins all four to it.
    const one = buildSetupSnippets({ origin: "https://gw.example.com", ...exampleModels(["claude-sonnet-4-6"]) }).find((s) => s.id === "claude-code")!.code;
    expect(one.match(/="claude-sonnet-4-6"/g)).toHaveLength(4);
  });
});

describe("Claude Code status line", () => {
  it("writes the script and names the settings entry; the script holds no key", () => {
    const snippet = buildSetupSnippets({ origin: "https://gw.example.com" }).find((s) => s.id === "claude-code-status-line")!;
    expect(snippet.code).toContain("cat > ~/.claude/gatehouse-status.mjs <<'EOF'");
    expect(snippet.code).toContain('"statusLine": { "type": "command", "command": "node ~/.claude/gatehouse-status.mjs" }');
    expect(snippet.code).toContain('process.env.ANTHROPIC_BASE_URL || "https://gw.example.com"');
    expect(snippet.code).not.toContain(KEY_PLACEHOLDER);
  });
});
