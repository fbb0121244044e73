import { notFound } from "next/navigation";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { setDatabase } from "@/lib/db";
import { createAccounts, type Accounts } from "@/test/accounts";
import { createTestDatabase, type TestDatabase } from "@/test/databases";
import { expectNotFound, expectRedirect } from "@/test/next-interrupts";
import { signedInAs } from "@/test/session-seam";
import { buyerAction, staffAction, type ActionState } from "./index";

// The wrappers are called as a crafted POST would call an action: directly, with whatever input.
// The session and request headers are faked (test/session-seam); users and roles are real rows.
vi.mock("@/lib/auth/auth", async () => (await import("@/test/session-seam")).sessionModule());
vi.mock("next/headers", async () => (await import("@/test/session-seam")).headersModule());

class QuotaError extends Error {}

function form(fields: Record<string, string | string[]>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) data.append(name, v);
  return data;
}

// FormData carries strings only: numbers come through z.coerce.
const noteSchema = z.object({
  orderId: z.string().min(1, { error: "Choose an order." }),
  amount: z.coerce.number().int().positive({ error: "Enter a whole number above zero." }),
  tags: z.array(z.string()).optional(),
});
type NoteState = ActionState<{ status: "saved"; summary: string }>;
const idle: NoteState = { status: "idle" };

describe("server-action wrappers", () => {
  let t: TestDatabase;
  let a: Accounts;
  const seen = vi.fn();
  beforeAll(async () => {
    t = await createTestDatabase("pglite");
    a = await createAccounts(t.db.prisma);
    setDatabase(t.db);
  });
  afterAll(async () => {
    setDatabase(undefined);
    await t?.drop();
  });
  beforeEach(() => {
    signedInAs.userId = null;
    seen.mockReset();
  });

  const buyerNote = buyerAction(
    noteSchema,
    async ({ user, customerId, clientIp, input }): Promise<NoteState> => {
      seen({ userId: user.id, customerId, clientIp, input });
      if (input.orderId === "quota") throw new QuotaError("internal detail: ledger row 42");
      if (input.orderId === "boom") throw new Error("connection to 10.0.0.5 refused");
      if (input.orderId === "elsewhere") notFound();
      return { status: "saved", summary: `${input.amount} for ${input.orderId}` };
    },
    { describeError: (error, input) => (error instanceof QuotaError ? `Order ${input.orderId} has no credit left.` : undefined) },
  );
  const supportNote = staffAction("SUPPORT", noteSchema, async ({ user, input }): Promise<NoteState> => {
    seen({ userId: user.id, input });
    return { status: "saved", summary: `by ${user.role}` };
  });
  const adminNote = staffAction("ADMIN", noteSchema, async ({ user }): Promise<NoteState> => ({ status: "saved", summary: `by ${user.role}` }));

  describe("buyerAction", () => {
    it("sends a signed-out caller to sign in before looking at the input", async () => {
      await expectRedirect(buyerNote(idle, form({ orderId: "o1", amount: "5" })), "/signin");
      await expectRedirect(buyerNote(idle, form({ amount: "not a number" })), "/signin");
      signedInAs.userId = "no-such-user";
      await expectRedirect(buyerNote({ orderId: "o1", amount: 5 }), "/signin");
      expect(seen).not.toHaveBeenCalled();
    });

    it("answers staff and a buyer without an account with 404", async () => {
      for (const id of [a.support.id, a.admin.id, a.newcomer.id]) {
        signedInAs.userId = id;
        await expectNotFound(buyerNote(idle, form({ orderId: "o1", amount: "5" })));
      }
      expect(seen).not.toHaveBeenCalled();
    });

    it("returns field errors for invalid input and never calls the handler", async () => {
      signedInAs.userId = a.alice.user.id;
      const result = await buyerNote(idle, form({ orderId: "", amount: "-3" }));
      expect(result).toEqual({
        status: "error",
        message: expect.any(String),
        fieldErrors: { orderId: ["Choose an order."], amount: ["Enter a whole number above zero."] },
      });
      expect(await buyerNote({ orderId: "o1", amount: "many" } as unknown as { orderId: string; amount: number })).toMatchObject({
        status: "error",
        fieldErrors: { amount: [expect.any(String)] },
      });
      // A crafted call whose second argument is not a form is no input at all.
      expect(await buyerNote(idle, { orderId: "o1", amount: "5" } as unknown as FormData)).toMatchObject({ status: "error" });
      expect(seen).not.toHaveBeenCalled();
    });

    it("hands the handler the caller, their account, the client IP and the coerced input", async () => {
      signedInAs.userId = a.alice.user.id;
      const result = await buyerNote(idle, form({ orderId: "o1", amount: "5", tags: ["a", "b"], $ACTION_ID_x: "" }));
      expect(result).toEqual({ status: "saved", summary: "5 for o1" });
      expect(seen).toHaveBeenCalledWith({
        userId: a.alice.user.id,
        customerId: a.alice.user.customerId,
        clientIp: "203.0.113.9",
        input: { orderId: "o1", amount: 5, tags: ["a", "b"] },
      });
      expect(await buyerNote({ orderId: "o2", amount: 7 })).toEqual({ status: "saved", summary: "7 for o2" });
    });

    it("turns a known domain error into its message and hides an unknown one", async () => {
      signedInAs.userId = a.alice.user.id;
      expect(await buyerNote(idle, form({ orderId: "quota", amount: "1" }))).toEqual({ status: "error", message: "Order quota has no credit left." });
      const unknown = await buyerNote(idle, form({ orderId: "boom", amount: "1" }));
      expect(unknown).toEqual({ status: "error", message: expect.stringMatching(/went wrong/) });
      expect(JSON.stringify(unknown)).not.toContain("10.0.0.5");
    });

    it("lets notFound() and redirect() from the handler through to Next", async () => {
      signedInAs.userId = a.alice.user.id;
      await expectNotFound(buyerNote(idle, form({ orderId: "elsewhere", amount: "1" })));
    });
  });

  describe("staffAction", () => {
    it("sends a signed-out caller to sign in", async () => {
      await expectRedirect(supportNote(idle, form({ orderId: "o1", amount: "1" })), "/signin");
      await expectRedirect(adminNote(idle, form({ orderId: "o1", amount: "1" })), "/signin");
    });

    it("answers anyone below the minimum role with 404", async () => {
      for (const id of [a.alice.user.id, a.newcomer.id]) {
        signedInAs.userId = id;
        await expectNotFound(supportNote(idle, form({ orderId: "o1", amount: "1" })));
        await expectNotFound(adminNote(idle, form({ orderId: "o1", amount: "1" })));
      }
      signedInAs.userId = a.support.id;
      await expectNotFound(adminNote(idle, form({ orderId: "o1", amount: "1" })));
      expect(seen).not.toHaveBeenCalled();
    });

    it("lets the minimum role and those above it through", async () => {
      signedInAs.userId = a.support.id;
      expect(await supportNote(idle, form({ orderId: "o1", amount: "1" }))).toEqual({ status: "saved", summary: "by SUPPORT" });
      signedInAs.userId = a.admin.id;
      expect(await supportNote(idle, form({ orderId: "o1", amount: "1" }))).toEqual({ status: "saved", summary: "by ADMIN" });
      expect(await adminNote(idle, form({ orderId: "o1", amount: "1" }))).toEqual({ status: "saved", summary: "by ADMIN" });
    });

    it("returns field errors for invalid input", async () => {
      signedInAs.userId = a.admin.id;
      expect(await adminNote(idle, form({ orderId: "o1", amount: "0" }))).toMatchObject({
        status: "error",
        fieldErrors: { amount: ["Enter a whole number above zero."] },
      });
    });
  });
});
