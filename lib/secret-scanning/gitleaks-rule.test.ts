import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { API_KEY_REGEX, diagnoseApiKey, formatApiKey } from "@/lib/credentials";

// The published key pattern: the gitleaks rule in .gitleaks.toml, the regular expression in
// README.md and SECURITY.md, and the format code all say the same, and the rule finds the DESIGN
// test vectors and nothing else among the tracked files.

const VECTORS = ["sk-gate-003aUlTJC7tjlCTQj2uNU3MFagCXG9LRKRcwGkBIDlf1Yo7hP", "sk-gate-yhjskwdA6OZ1AL1YmHWZWm8LLG7HjnuCA2j5rOw8Xp13sRzl1"];
const PUBLISHED = String.raw`\b(sk-gate-[0-9A-Za-z]{49})\b`;

const toml = readFileSync(".gitleaks.toml", "utf8");

function ruleRegex(): RegExp {
  const match = /^regex = '''(.+)'''$/m.exec(toml);
  if (!match) throw new Error("no regex in .gitleaks.toml");
  // The rule is RE2 syntax; this one means the same in JavaScript.
  return new RegExp(match[1]!, "g");
}

function matches(text: string): string[] {
  return [...text.matchAll(ruleRegex())].map((m) => m[1]!);
}

describe("the gitleaks rule for our keys", () => {
  it("is the published regular expression, built on the format's own", () => {
    expect(ruleRegex().source).toBe(PUBLISHED);
    expect(PUBLISHED).toContain(API_KEY_REGEX.source);
    expect(toml).toMatch(/^secretGroup = 1$/m);
    for (const doc of ["README.md", "SECURITY.md"]) expect(readFileSync(doc, "utf8"), doc).toContain(PUBLISHED);
  });

  it("matches the DESIGN test vectors and keys as they appear in text, not longer or shorter strings", () => {
    expect(VECTORS.map((v) => formatApiKey(new Uint8Array(32).map((_, i) => (v === VECTORS[0] ? i : 0xff))))).toEqual(VECTORS);
    for (const vector of VECTORS) {
      expect(diagnoseApiKey(vector).ok).toBe(true);
      expect(matches(vector)).toEqual([vector]);
      expect(matches(`OPENAI_API_KEY=${vector}\n`)).toEqual([vector]);
      expect(matches(`{"key":"${vector}"}`)).toEqual([vector]);
      expect(matches(`Authorization: Bearer ${vector}`)).toEqual([vector]);
    }
    const [vector] = VECTORS as [string];
    expect(matches(vector.slice(0, -1))).toEqual([]);
    expect(matches(`${vector}x`)).toEqual([]);
    expect(matches(`x${vector}`)).toEqual([]);
    expect(matches("sk-gate-…hP")).toEqual([]);
  });

  it("allows exactly the test vectors, so a scan of this repository reports nothing", () => {
    const allowed = [...toml.matchAll(/^\s*'''\^(sk-gate-[0-9A-Za-z]+)\$''',?$/gm)].map((m) => m[1]);
    expect(allowed).toEqual(VECTORS);
  });

  it("finds nothing but the test vectors in the tracked files", () => {
    const files = execFileSync("git", ["ls-files", "-z"], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
      .split("\0")
      .filter(Boolean);
    expect(files.length).toBeGreaterThan(100);
    const found = new Map<string, string[]>();
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch {
        continue; // listed but not on disk (deleted in the work tree)
      }
      if (text.includes("\0")) continue; // binary
      for (const match of matches(text)) found.set(match, [...(found.get(match) ?? []), file]);
    }
    const unexpected = [...found].filter(([match]) => !VECTORS.includes(match)).map(([, where]) => where.join(", "));
    expect(unexpected).toEqual([]);
    expect([...found.keys()].sort()).toEqual([...VECTORS].sort());
  });
});
