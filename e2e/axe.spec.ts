import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { expect, test, type Page } from "@playwright/test";
import { buyAndSignIn } from "./fixtures/marketplace";
import { signInAsNewStaff } from "./sign-in";

// Every page a buyer, a support agent and an admin can reach from where they land, checked with axe
// (WCAG 2 A and AA) at desktop and phone widths. Serious and critical violations fail the test.
// Pages of one shape (one order, another order) are checked once: ids in the path are folded.

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const WIDTHS = [1280, 390] as const;
const MAX_PAGES = 40;

/** A path with its ids folded, so /orders/abc and /orders/def count as one page. */
function shape(path: string): string {
  return path
    .split("?")[0]!
    .split("/")
    .map((part) => (/\d/.test(part) && part.length >= 4 ? ":id" : part))
    .join("/");
}

interface Finding {
  path: string;
  width: number;
  rule: string;
  impact: string;
  nodes: string[];
}

async function checkReachablePages(page: Page, start: string): Promise<{ checked: string[]; findings: Finding[] }> {
  const queue = [start];
  const seen = new Set<string>();
  const checked: string[] = [];
  const findings: Finding[] = [];
  while (queue.length > 0 && checked.length < MAX_PAGES) {
    const path = queue.shift()!;
    if (seen.has(shape(path))) continue;
    seen.add(shape(path));
    const response = await page.goto(path);
    expect(response?.status(), path).toBeLessThan(400);
    checked.push(path);
    // Once per page: axe stays loaded when the viewport changes.
    await page.addScriptTag({ content: axeSource });
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width > 600 ? 900 : 844 });
      const violations = await page.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: { run(ctx: Document, opts: object): Promise<{ violations: { id: string; impact: string | null; nodes: { target: unknown[] }[] }[] }> };
          }
        ).axe;
        // Only violations are read: passes and inapplicable rules are not collected node by node.
        const result = await axe.run(document, { runOnly: ["wcag2a", "wcag2aa"], resultTypes: ["violations"] });
        return result.violations.map((v) => ({ id: v.id, impact: v.impact ?? "", nodes: v.nodes.map((n) => String(n.target.join(" "))) }));
      });
      for (const v of violations)
        if (v.impact === "serious" || v.impact === "critical") findings.push({ path, width, rule: v.id, impact: v.impact, nodes: v.nodes.slice(0, 5) });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    const hrefs = await page.$$eval("a[href^='/']", (links) => links.map((a) => a.getAttribute("href") ?? ""));
    for (const href of hrefs) {
      const next = href.split("#")[0]!;
      // Not pages: downloads, API routes, signing out.
      if (!next || /^\/(api|v1|v1beta)\b|\/export\b|\.(csv|svg|png|ico)$|signout/.test(next)) continue;
      if (!seen.has(shape(next))) queue.push(next);
    }
  }
  return { checked, findings };
}

// axe is injected as an inline script, which the pages' policy refuses (e2e/security-headers.spec.ts holds the pages to it).
test.use({ bypassCSP: true });

test.describe("axe on every reachable page", () => {
  test.describe.configure({ timeout: 240_000 });

  test("as a buyer", async ({ page, request }) => {
    await buyAndSignIn(page, request, { start: new Date(Date.now() - 60_000), end: new Date(Date.now() + 20 * 86_400_000) }, "Starter 30");
    const { checked, findings } = await checkReachablePages(page, "/dashboard");
    expect(checked).toEqual(expect.arrayContaining(["/dashboard", "/usage", "/support"]));
    expect(findings).toEqual([]);
  });

  for (const role of ["SUPPORT", "ADMIN"] as const) {
    test(`as ${role.toLowerCase()}`, async ({ page }) => {
      await signInAsNewStaff(page, role);
      const { checked, findings } = await checkReachablePages(page, "/console");
      expect(checked).toEqual(expect.arrayContaining(["/console", "/console/tickets", "/console/requests"]));
      if (role === "ADMIN") expect(checked).toEqual(expect.arrayContaining(["/console/plans", "/console/channels", "/console/audit"]));
      expect(findings).toEqual([]);
    });
  }
});
