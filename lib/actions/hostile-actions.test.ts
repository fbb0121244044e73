import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { resetConfig } from "@/lib/config";
import { setDatabase } from "@/lib/db";
import { PROJECT_ROOT } from "@/lib/db/migrations";
import { createAccounts, TEST_SECRET, type Accounts } from "@/test/accounts";
import { createTestDatabase, describeEachEngine, type TestDatabase } from "@/test/databases";
import { signedInAs } from "@/test/session-seam";

// Every server action of the app, called as a crafted POST calls it: directly, as a buyer, an
// agent and an admin, with hostile forms — wrong types, missing and extra fields, control
// characters, overlong text, path tricks, look-alike emails, another account's ids. Each answers
// with an error state (or Next's 404 / sign-in redirect) and writes nothing.

vi.mock("@/lib/auth/auth", async () => (await import("@/test/session-seam")).sessionModule());
vi.mock("next/headers", async () => (await import("@/test/session-seam")).headersModule());
vi.mock("next/cache", () => ({ revalidatePath: vi.fn(), revalidateTag: vi.fn(), refresh: vi.fn(), updateTag: vi.fn() }));
// Work deferred until after the response (mail) is not run: there is no response here.
vi.mock("next/server", async (importOriginal) => ({ ...(await importOriginal<typeof import("next/server")>()), after: vi.fn() }));

/** Each module of server actions under app/, by its folder (the sign-out action takes no input). */
const MODULES = {
  "orders/[id]": () => import("@/app/(portal)/orders/[id]/actions"),
  "orders/[id]/keys/[keyId]": () => import("@/app/(portal)/orders/[id]/keys/[keyId]/actions"),
  settings: () => import("@/app/(portal)/settings/actions"),
  support: () => import("@/app/(portal)/support/actions"),
  "console/channels": () => import("@/app/console/channels/actions"),
  "console/events": () => import("@/app/console/events/actions"),
  "console/keys/[id]": () => import("@/app/console/keys/[id]/actions"),
  "console/orders/[id]": () => import("@/app/console/orders/[id]/actions"),
  "console/plans": () => import("@/app/console/plans/actions"),
  "console/prices": () => import("@/app/console/prices/actions"),
  "console/tickets": () => import("@/app/console/tickets/actions"),
  "console/users": () => import("@/app/console/users/actions"),
  signin: () => import("@/app/signin/actions"),
};
const WITHOUT_INPUT = ["_actions/sign-out.ts"];

/** Every file under app/ that declares server actions, relative to app/. */
function serverActionFiles(): string[] {
  const root = join(PROJECT_ROOT, "app");
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((file) => /\.(ts|tsx)$/.test(file) && /^\s*["']use server["']/.test(readFileSync(join(root, file), "utf8")))
    .map((file) => file.split(sep).join("/"))
    .sort();
}

it("covers every server-action module under app/", () => {
  const covered = Object.keys(MODULES).map((folder) => {
    const path = folder.startsWith("console/") || folder === "signin" ? folder : `(portal)/${folder}`;
    return `${path}/actions.ts`;
  });
  expect(serverActionFiles()).toEqual([...covered, ...WITHOUT_INPUT].sort());
});

/** Field names the actions read, each given a hostile value. */
const FIELDS = [
  "id",
  "keyId",
  "orderId",
  "ticketId",
  "eventId",
  "channelId",
  "planId",
  "userId",
  "number",
  "email",
  "role",
  "name",
  "subject",
  "body",
  "category",
  "status",
  "priority",
  "assigneeId",
  "model",
  "models",
  "provider",
  "baseUrl",
  "apiKey",
  "overlap",
  "days",
  "accessEnd",
  "accessStart",
  "amount",
  "credit",
  "rpm",
  "tpm",
  "multiplier",
  "spendLimit",
  "ipAllowlist",
  "modelScope",
  "internal",
  "confirm",
  "next",
  "requestIds",
];

const HOSTILE_VALUES = [
  "",
  "\u0000",
  "x\u0000y",
  "\u001b[2J",
  "\ud800",
  "x".repeat(100_000),
  "../../../etc/passwd",
  "' OR 1=1 --",
  "<script>alert(1)</script>",
  "-1",
  "NaN",
  "1e309",
  "99999999999999999999999",
  "\u0430dmin@example.com",
  "admin\uff20example.com",
  "javascript:alert(1)",
  "//evil.example/",
  '{"$ne":null}',
];

function hostileForm(value: string, extra: Record<string, string> = {}): FormData {
  const data = new FormData();
  for (const name of FIELDS) data.append(name, value);
  data.append("$ACTION_ID_x", "1");
  data.append("__proto__", value);
  for (const [name, v] of Object.entries(extra)) data.set(name, v);
  return data;
}

describeEachEngine("server actions: hostile input", (engine) => {
  let t: TestDatabase;
  let a: Accounts;
  let dataDir: string;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "gatehouse-actions-"));
    const env = {
      GATEHOUSE_SECRET: TEST_SECRET,
      AUTH_SECRET: "hostile-actions-auth-secret-0123456789abcdefghijk",
      MARKETPLACE_WEBHOOK_SECRET: "hostile-actions-webhook-secret-0123456789abcdefg",
      GATEHOUSE_PUBLIC_URL: "https://gate.example.com",
      GATEHOUSE_DATA_DIR: dataDir,
      SMTP_URL: "",
    };
    for (const [name, value] of Object.entries(env)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    resetConfig();
    t = await createTestDatabase(engine);
    a = await createAccounts(t.db.prisma);
    setDatabase(t.db);
  });
  afterAll(async () => {
    setDatabase(undefined);
    await t?.drop();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetConfig();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const rows = async () => {
    const db = t.db.prisma;
    return {
      users: await db.user.count(),
      customers: await db.customer.count(),
      orders: await db.order.count(),
      keys: await db.apiKey.count(),
      activeKeys: await db.apiKey.count({ where: { status: "ACTIVE" } }),
      ledger: await db.ledgerEntry.count(),
      tickets: await db.ticket.count(),
      messages: await db.ticketMessage.count(),
      audit: await db.auditLog.count(),
      plans: await db.plan.count(),
      prices: await db.modelPrice.count(),
      channels: await db.upstreamChannel.count(),
      events: await db.webhookEvent.count(),
      settings: await db.setting.count(),
      tokens: await db.verificationToken.count(),
      roles: (await db.user.findMany({ select: { role: true }, orderBy: { email: "asc" } })).map((u) => u.role).join(","),
    };
  };

  it("every action, as every role, refuses every hostile form and writes nothing", async () => {
    const before = await rows();
    const outcomes = new Map<string, number>();
    let calls = 0;
    for (const [name, load] of Object.entries(MODULES)) {
      const exports = (await load()) as Record<string, unknown>;
      const actions = Object.entries(exports).filter(([, v]) => typeof v === "function") as [string, (...args: unknown[]) => Promise<unknown>][];
      expect(actions.length, name).toBeGreaterThan(0);
      for (const [exported, action] of actions) {
        for (const userId of [a.alice.user.id, a.support.id, a.admin.id, null]) {
          signedInAs.userId = userId;
          for (const value of HOSTILE_VALUES) {
            const inputs: unknown[][] = [
              [{ status: "idle" }, hostileForm(value)],
              // Another account's real ids with hostile text beside them.
              [{ status: "idle" }, hostileForm(value, { orderId: a.bob.orderId, keyId: a.bob.apiKeyId, ticketId: a.bob.ticketId, id: a.bob.apiKeyId })],
            ];
            if (value === "") inputs.push([{ status: "idle" }, "not a form"], [null, null], [{ status: "idle" }, { orderId: a.bob.orderId }], []);
            for (const args of inputs) {
              calls++;
              let outcome: string;
              try {
                const result = (await action(...args)) as { status?: string } | undefined;
                outcome = `returned ${result?.status ?? typeof result}`;
              } catch (err) {
                const digest = (err as { digest?: string }).digest ?? "";
                outcome = digest.startsWith("NEXT_HTTP_ERROR_FALLBACK;404")
                  ? "404"
                  : digest.startsWith("NEXT_REDIRECT")
                    ? `redirect ${digest.split(";")[2]}`
                    : `threw ${(err as Error).message?.slice(0, 120)}`;
              }
              outcomes.set(`${name}#${exported}: ${outcome}`, (outcomes.get(`${name}#${exported}: ${outcome}`) ?? 0) + 1);
            }
          }
        }
      }
    }
    // What each action answered: a refusal in its own form state, Next's 404 (not the caller's, or
    // below the role), or the way to sign in. Two answers are not refusals, and write nothing:
    // the mail settings are checkboxes (any value is "on"), and a sign-in address in fullwidth or
    // other compatibility forms is the same address once normalised (NFKC), so its link goes to
    // that address's owner, and to nobody when it has no account (the mail is deferred, not run here).
    const answers = [...new Set([...outcomes.keys()].map((k) => k.slice(k.indexOf(": ") + 2)))];
    const allowed = /^(returned (error|invalid|rate_limited)|404|redirect \/signin(\?.*)?)$/;
    const exceptions = new Set(["settings#saveMailSettingsAction: returned success", "signin#requestSignInLinkAction: redirect /signin/check-email"]);
    expect([...outcomes.keys()].filter((k) => !allowed.test(k.slice(k.indexOf(": ") + 2)) && !exceptions.has(k))).toEqual([]);
    expect(answers).toContain("404");
    signedInAs.userId = null;
    expect(calls).toBeGreaterThan(500);
    expect(await rows()).toEqual(before);
  });
});
