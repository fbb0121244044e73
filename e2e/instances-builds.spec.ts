import { execFile, spawn } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { expect as baseExpect, test, type Page } from "@playwright/test";
import { compileNextConfig } from "../lib/runtime/compile-next-config";
import { hydrated } from "./fixtures/hydrated";
import { startRoundRobinProxy, type RoundRobinProxy } from "./fixtures/round-robin-proxy";
import { createPostgresDatabase, sharedInstanceEnv, startServerProcess, type ServerProcess } from "./fixtures/server-process";
import { uniqueClientIp } from "./sign-in";

// Two instances built separately, each in a directory of its own, behind a round-robin balancer
// without stickiness (the test's own proxy, e2e/fixtures/round-robin-proxy.ts, set up like
// deploy/haproxy/gatehouse.cfg), then a rolling deploy: a second release beside the first.
//
// Builds are what this costs (minutes each on two shared cores), so it makes two, in parallel:
// instance A runs this checkout's own build (the one the main test server made), B a copy of this
// tree in another directory, built there; the second release is another copy with one harmless
// change. Two clones of one commit differ in nothing but their directory (and in .next, which each
// builds), so a copy elsewhere is what a second clone is to the build. Every server here uses the
// tests' fixed server-actions key (playwright.config.ts), so A's build stays current; deriving the
// key from GATEHOUSE_SECRET is scripts/release.test.ts's.

const exec = promisify(execFile);
// Two servers and the tests' own on two shared cores: pages take longer than in the other specs.
const expect = baseExpect.configure({ timeout: 20_000 });
const ROOT = process.cwd();
const ROUNDS = Number(process.env.E2E_INSTANCE_ROUNDS ?? 4);

/** This working tree (tracked and new files, as they are now) copied to `dir`, with its packages. */
async function copyCheckout(dir: string): Promise<string> {
  const { stdout } = await exec("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, maxBuffer: 64 << 20 });
  for (const path of stdout.split("\0").filter(Boolean)) {
    if (!existsSync(join(ROOT, path))) continue; // deleted, not yet committed
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    copyFileSync(join(ROOT, path), join(dir, path));
  }
  // What `npm ci` would install, hard-linked from this checkout's node_modules (seconds instead of
  // minutes, and the same files), and the Prisma client its postinstall generates.
  await exec("cp", ["-al", join(ROOT, "node_modules"), join(dir, "node_modules")]);
  mkdirSync(join(dir, "build"), { recursive: true });
  cpSync(join(ROOT, "build", "generated"), join(dir, "build", "generated"), { recursive: true });
  return dir;
}

/** The build `npm start` runs when a checkout has none or an outdated one (lib/runtime/build-if-needed.ts). */
function buildCheckout(dir: string): Promise<number> {
  const started = Date.now();
  compileNextConfig(dir); // as server.ts does before it builds
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEXT_SERVER_ACTIONS_ENCRYPTION_KEY: process.env.E2E_SERVER_ACTIONS_KEY,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(dir, "node_modules/next/dist/bin/next"), "build"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(Date.now() - started) : reject(new Error(`next build in ${dir} failed:\n${output}`))));
  });
}

/** What must agree between two builds of one release. */
function buildFacts(dir: string) {
  const manifest = JSON.parse(readFileSync(join(dir, ".next/server/server-reference-manifest.json"), "utf8")) as {
    node?: Record<string, unknown>;
    edge?: Record<string, unknown>;
  };
  return {
    buildId: readFileSync(join(dir, ".next/BUILD_ID"), "utf8").trim(),
    actionIds: [...Object.keys(manifest.node ?? {}), ...Object.keys(manifest.edge ?? {})].sort(),
    chunks: readdirSync(join(dir, ".next/static/chunks"), { recursive: true }).map(String).sort(),
  };
}

test.describe("instances built on their own, behind a balancer without stickiness", () => {
  test.describe.configure({ timeout: 900_000 });
  let parent: string;
  let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let proxy: RoundRobinProxy;
  let shared: Record<string, string>;
  let dirB: string;
  let dirNext: string;
  let a: ServerProcess;
  let b: ServerProcess;

  test.beforeAll(async () => {
    test.setTimeout(900_000);
    parent = mkdtempSync(join(tmpdir(), "gatehouse-copies-"));
    db = await createPostgresDatabase("gatehouse_instances");
    proxy = await startRoundRobinProxy();
    shared = sharedInstanceEnv(db.url, {
      GATEHOUSE_PUBLIC_URL: proxy.url,
      // The balancer is the proxy in front of both; it appends the client's address.
      TRUSTED_PROXIES: "127.0.0.1/32",
      LOG_LEVEL: "info",
    });
    [dirB, dirNext] = await Promise.all([copyCheckout(join(parent, "b")), copyCheckout(join(parent, "next"))]);
    // The next release: one harmless change in a script every page loads, so its chunk is renamed.
    const changed = join(dirNext, "components/new-release.ts");
    writeFileSync(changed, readFileSync(changed, "utf8").replace("RELOAD_ONCE_MS = 60_000", "RELOAD_ONCE_MS = 61_000"));
    const times = await Promise.all([buildCheckout(dirB), buildCheckout(dirNext)]);
    console.log(`two builds in parallel: ${times.map((t) => `${(t / 1000).toFixed(0)} s`).join(", ")}`);
    // One after the other: the first migrates the shared database.
    a = await startServerProcess(shared);
    b = await startServerProcess(shared, { cwd: dirB });
    proxy.setUpstreams([a.url, b.url]);
  });

  test.afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await proxy?.close();
    await db?.drop();
    if (parent) rmSync(parent, { recursive: true, force: true });
  });

  test("two builds of one tree agree on the build id, every server action id and every chunk name; npm start keeps them", async () => {
    const [factsA, factsB] = [buildFacts(ROOT), buildFacts(dirB)];
    expect(factsA.buildId).toMatch(/^[0-9a-f]{16}$/);
    expect(factsB.buildId).toBe(factsA.buildId);
    expect(factsA.actionIds.length).toBeGreaterThan(5);
    expect(factsB.actionIds).toEqual(factsA.actionIds);
    expect(factsB.chunks).toEqual(factsA.chunks);
    // Each instance found its build current: same release, same server-actions key.
    for (const server of [a, b]) expect(server.output()).toContain("build is current");
    // And each names that build in /api/health.
    expect([await releaseOf(a), await releaseOf(b)]).toEqual([factsA.buildId, factsA.buildId]);
  });

  /** The release an instance's /api/health names. */
  async function releaseOf(server: ServerProcess): Promise<unknown> {
    return ((await (await fetch(`${server.url}/api/health`)).json()) as { release?: unknown }).release;
  }

  /** Signed the way the marketplace signs its webhook, with the instances' shared secret. */
  async function marketplaceOrder(page: Page, orderId: string, email: string) {
    const body = JSON.stringify({
      event: "order.paid",
      order_id: orderId,
      email,
      plan: "Pro 30",
      access_start: new Date(Date.now() - 3_600_000).toISOString(),
      access_end: new Date(Date.now() + 2 * 86_400_000).toISOString(),
    });
    const t = Math.floor(Date.now() / 1000);
    const signature = `t=${t},v1=${createHmac("sha256", shared.MARKETPLACE_WEBHOOK_SECRET!).update(`${t}.${body}`).digest("hex")}`;
    const response = await page.request.post(`${proxy.url}/api/marketplace/orders`, {
      data: body,
      headers: { "content-type": "application/json", "x-marketplace-signature": signature },
      // A marketplace redelivers a webhook whose connection failed; the event is idempotent.
      maxRetries: 2,
    });
    expect(response.status()).toBe(200);
  }

  /** The newest sign-in link either instance printed for `email` (SMTP_URL is unset). */
  async function signInLink(email: string, after: number): Promise<string> {
    const find = () =>
      [a, b]
        .flatMap((s) => s.output().split("\n"))
        .filter((line) => line.startsWith(`[sign-in link] ${email} `))
        .map((line) => line.split(" ")[3] ?? "");
    await expect.poll(() => find().length, { timeout: 15_000 }).toBeGreaterThan(after);
    return find().at(-1)!;
  }

  /** Everything a buyer does, each request to whichever instance is next. */
  async function buyerRound(page: Page) {
    const id = randomBytes(4).toString("hex");
    const email = `instances-${id}@example.com`;
    const orderId = `MP-INST-${id}`;
    await page.setExtraHTTPHeaders({ "x-forwarded-for": uniqueClientIp() });
    await marketplaceOrder(page, orderId, email);
    const mailed = await signInLink(email, 0);
    expect(new URL(mailed).origin).toBe(proxy.url);

    // Sign in through the form (a server action) and the link it sends.
    await page.goto(`${proxy.url}/signin`);
    await page.getByLabel("Email address").fill(email);
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Check your email" })).toBeVisible();
    await page.goto(await signInLink(email, 1));
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`^${proxy.url}/(dashboard|orders/)`));

    await page.goto(`${proxy.url}/dashboard`);
    const row = page.getByRole("row", { name: new RegExp(orderId) });
    await expect(row).toContainText("Active");
    await row.getByRole("link", { name: orderId }).click();
    await expect(page.getByRole("heading", { level: 1, name: `Order ${orderId}` })).toBeVisible();

    await (await hydrated(page.getByRole("button", { name: "Reveal key" }))).click();
    await page.getByRole("dialog", { name: "Reveal your API key?" }).getByRole("button", { name: "Reveal now" }).click();
    await expect(page.getByRole("textbox", { name: "Your API key" })).toHaveValue(/^sk-gate-/);
    await page.reload();
    await expect(page.getByRole("button", { name: "Reveal key" })).toHaveCount(0);

    await page.getByRole("button", { name: "Rotate key" }).click();
    const dialog = page.getByRole("dialog", { name: "Rotate this key?" });
    await dialog.getByLabel("Keep the old key working for").selectOption("none");
    await dialog.getByRole("button", { name: "Rotate" }).click();
    await expect(page.getByRole("button", { name: "Reveal key" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Earlier keys" })).toBeVisible();

    await page.getByRole("button", { name: /Account menu for/ }).click();
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(new RegExp(`^${proxy.url}/signin`));
    await page.goto(`${proxy.url}/dashboard`);
    await expect(page).toHaveURL(new RegExp(`^${proxy.url}/signin`));
  }

  /** No page showed the error page, no static file was missing on every instance, and both served. */
  function expectNoBreakage(errors: string[], from: number) {
    expect(errors).toEqual([]);
    const records = proxy.records.slice(from);
    expect(records.filter((r) => r.path.startsWith("/_next/static/") && r.status !== 200)).toEqual([]);
    // Both instances served pages and actions.
    const served = new Set(records.filter((r) => !r.path.startsWith("/_next/")).map((r) => r.instance));
    expect([...served].sort()).toEqual([0, 1]);
  }

  function watchForErrorPage(page: Page): string[] {
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" && /Server Action|chunk/i.test(message.text())) errors.push(`console: ${message.text()}`);
    });
    page.on("load", () => {
      page
        .getByRole("heading", { name: "Something went wrong" })
        .count()
        .then((n) => (n > 0 ? errors.push(`error page at ${page.url()}`) : 0))
        .catch(() => {}); // the page navigated on meanwhile
    });
    return errors;
  }

  test(`sign in, dashboard, order page, reveal once, rotate, sign out — ${ROUNDS} times, each request to the next instance`, async ({ page }) => {
    const errors = watchForErrorPage(page);
    const from = proxy.records.length;
    for (let round = 0; round < ROUNDS; round++) {
      await test.step(`round ${round + 1}`, () => buyerRound(page));
    }
    await expect(page.getByRole("heading", { name: "Something went wrong" })).toHaveCount(0);
    expectNoBreakage(errors, from);
  });

  test("a rolling deploy: the old and the new release serve side by side", async ({ page }) => {
    // B is replaced by the next release (built in beforeAll); A still serves the old one.
    await b.stop();
    expect(buildFacts(dirNext).buildId).not.toBe(buildFacts(ROOT).buildId);
    b = await startServerProcess(shared, { cwd: dirNext });
    expect(b.output()).toContain("build is current");
    // During the deploy, /api/health tells which instance runs which build.
    expect([await releaseOf(a), await releaseOf(b)]).toEqual([buildFacts(ROOT).buildId, buildFacts(dirNext).buildId]);
    proxy.setUpstreams([a.url, b.url]);

    const errors = watchForErrorPage(page);
    const from = proxy.records.length;
    for (let round = 0; round < 3; round++) {
      await test.step(`round ${round + 1}`, () => buyerRound(page));
    }
    expectNoBreakage(errors, from);
    // A script only the old release has is found whichever instance is asked first. Whether the
    // rounds above asked the new instance for one depends on how requests fell in the rotation
    // (the browser caches each script after its first load), so ask for one four times in a row:
    // some reach the new instance, which has no such file, and the old one answers them.
    const next = new Set(buildFacts(dirNext).chunks);
    const oldOnly = buildFacts(ROOT).chunks.find((chunk) => chunk.endsWith(".js") && !next.has(chunk));
    expect(oldOnly, "the next release renamed a script").toBeDefined();
    const asked = proxy.records.length;
    for (let i = 0; i < 4; i++) expect((await page.request.get(`${proxy.url}/_next/static/chunks/${oldOnly}`)).status()).toBe(200);
    expect(proxy.records.slice(asked).some((r) => r.retriedFrom.length > 0)).toBe(true);

    // A server action the answering release does not have (renamed or removed in the new one):
    // the page reloads itself instead of showing the error page.
    await page.goto(`${proxy.url}/signin`);
    await page.route(`${proxy.url}/signin`, async (route) => {
      const headers = route.request().headers();
      if (route.request().method() === "POST" && headers["next-action"]) headers["next-action"] = "00".repeat(21);
      await route.continue({ headers });
    });
    await page.getByLabel("Email address").fill("nobody@example.com");
    const reloaded = page.waitForEvent("load");
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await reloaded;
    await expect(page.getByLabel("Email address")).toBeVisible();
    await expect(page.getByRole("heading", { name: "Something went wrong" })).toHaveCount(0);
    // The same page again within a minute: no reload loop, a message that says what happened.
    await page.getByLabel("Email address").fill("nobody@example.com");
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await expect(page.getByRole("heading", { name: "Gatehouse was just updated" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Reload the page" })).toBeVisible();
  });
});
