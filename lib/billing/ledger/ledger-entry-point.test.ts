import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

// Every change of an order's balance goes through lib/billing/ledger: a ledger row or a running
// total written anywhere else would let the two drift apart. This reads the source tree and fails
// on any such write outside the ledger module.

const ROOT = join(__dirname, "..", "..", "..");
const SCANNED = ["app", "cli", "components", "lib", "scripts", "server.ts"];
const LEDGER = "lib/billing/ledger/";

const WRITES: [string, RegExp][] = [
  ["a Prisma write of ledger entries", /\bledgerEntry\s*\.\s*(create|createMany|createManyAndReturn|update|updateMany|upsert|delete|deleteMany)\b/],
  ["SQL that writes ledger_entries", /\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?ledger_entries"?/i],
  ["SQL that sets an order's running total", /"balanceMicros"\s*=(?!=)/],
  ["a Prisma write of an order's running total", /\border\s*\.\s*(create|createMany|update|updateMany|upsert)\s*\([^;]*?\bbalanceMicros\s*:/s],
];

function sourceFiles(path: string): string[] {
  const stat = statSync(path);
  if (stat.isFile()) return /\.(ts|tsx|mjs)$/.test(path) && !/\.test\.ts$/.test(path) ? [path] : [];
  return readdirSync(path)
    .filter((name) => name !== "node_modules" && name !== "generated")
    .flatMap((name) => sourceFiles(join(path, name)));
}

describe("the ledger is the one way an order's balance changes", () => {
  it("no source file outside lib/billing/ledger writes ledger rows or running totals", () => {
    const offenders: string[] = [];
    for (const file of SCANNED.flatMap((p) => sourceFiles(join(ROOT, p)))) {
      const path = relative(ROOT, file);
      if (path.startsWith(LEDGER)) continue;
      const text = readFileSync(file, "utf8");
      for (const [what, pattern] of WRITES) if (pattern.test(text)) offenders.push(`${path}: ${what}`);
    }
    expect(offenders).toEqual([]);
  });

  it("the patterns find the writes the ledger module itself makes", () => {
    const text = readFileSync(join(ROOT, LEDGER, "ledger.ts"), "utf8");
    for (const [what, pattern] of WRITES) expect(pattern.test(text), what).toBe(true);
  });
});
