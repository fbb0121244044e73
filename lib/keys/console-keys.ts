import "server-only";
import { z } from "zod";
import type { ApiKeyStatus, PrismaTypes, SpendLimitPeriod } from "@/lib/db/types";
import type { Prisma } from "@/lib/db";
import { beyond, decodeCursor, encodeCursor, listQuerySchema, textFilterSchema, toPage, type Page } from "@/lib/pagination";
import { orderStatus, type OrderStatus } from "@/lib/time/order-status";
import { keyDisplayStatus, type KeyDisplayStatus } from "./key-display-status";

// The console's view of keys: found by key prefix or last four, a buyer's email or an order id.
// Nothing here selects a secret: the ciphertext column is omitted by the client unless named, and
// the HMAC is left out too (it never leaves lib/).

export const KEY_STATUSES = ["ACTIVE", "DISABLED", "REPLACED", "DELETED"] as const satisfies readonly ApiKeyStatus[];

/** A whole key pasted into the search box: only its mask is kept, so the URL and the page never carry it. */
const WHOLE_KEY = /sk-gate-[0-9A-Za-z]{45,}/;

/**
 * URL state of the keys list: newest first; `q` matches a key's last four (alone or in a pasted
 * mask such as `sk-gate-…AbC1`), a key id, a buyer's email or a marketplace order id; `status`
 * narrows to one stored status.
 */
export const keyListQuerySchema = listQuerySchema(["created"], { sort: "created", dir: "desc" }).extend({
  q: textFilterSchema.transform((q) => {
    const whole = WHOLE_KEY.exec(q);
    return whole ? `sk-gate-…${whole[0].slice(-4)}` : q;
  }),
  status: z.enum(KEY_STATUSES).nullable().catch(null),
});
export type KeyListQuery = z.infer<typeof keyListQuerySchema>;

export interface ConsoleKeySummary {
  id: string;
  name: string;
  /** `sk-gate-…` + the last four: all the console ever shows of a key. */
  mask: string;
  lastFour: string;
  status: ApiKeyStatus;
  display: KeyDisplayStatus;
  orderId: string;
  marketplaceOrderId: string;
  customerName: string;
  emails: string[];
  modelScope: string[];
  spendLimitMicros: bigint | null;
  spendLimitPeriod: SpendLimitPeriod;
  rpmLimit: number | null;
  tpmLimit: number | null;
  ipAllowlist: string[];
  lastUsedAt: Date | null;
  createdAt: Date;
}

const createdCursor = z.tuple([z.iso.datetime().transform((t) => new Date(t)), z.string().max(100)]);

/** The `where` a search text stands for: last four (or a mask ending in them), key id, email, order id. */
function searchWhere(q: string): PrismaTypes.ApiKeyWhereInput {
  if (!q) return {};
  const text = q.trim();
  const or: PrismaTypes.ApiKeyWhereInput[] = [];
  // "sk-gate-…AbC1", "sk-gate-...AbC1", "…AbC1" or "AbC1": the last four characters.
  const mask = /^(?:sk-gate-)?(?:…|\.{3}|•+)?([0-9A-Za-z]{4})$/.exec(text);
  if (mask) or.push({ lastFour: mask[1] });
  // Every key starts with the same prefix: "sk-gate-" alone names them all; more than the prefix
  // and not a mask names none (the rest of a key is not stored).
  if (text.length >= 7 && "sk-gate-".startsWith(text)) return {};
  if (/^sk-gate-/.test(text) && !mask) return { id: "" };
  if (text.includes("@")) or.push({ order: { customer: { users: { some: { email: { contains: text.toLowerCase() } } } } } });
  else {
    or.push({ id: text });
    or.push({ order: { marketplaceOrderId: { contains: text, mode: "insensitive" } } });
  }
  return { OR: or };
}

const summarySelect = {
  id: true,
  name: true,
  prefix: true,
  lastFour: true,
  status: true,
  expiresAt: true,
  modelScope: true,
  spendLimitMicros: true,
  spendLimitPeriod: true,
  rpmLimit: true,
  tpmLimit: true,
  ipAllowlist: true,
  lastUsedAt: true,
  createdAt: true,
  order: {
    select: {
      id: true,
      marketplaceOrderId: true,
      state: true,
      accessStart: true,
      accessEnd: true,
      customer: { select: { name: true, users: { select: { email: true }, orderBy: { email: "asc" }, take: 5 } } },
    },
  },
} as const satisfies PrismaTypes.ApiKeySelect;

type SummaryRow = PrismaTypes.ApiKeyGetPayload<{ select: typeof summarySelect }>;

function toSummary(row: SummaryRow, now: Date): ConsoleKeySummary {
  const status: OrderStatus = orderStatus(row.order, now);
  return {
    id: row.id,
    name: row.name,
    mask: `${row.prefix}…${row.lastFour}`,
    lastFour: row.lastFour,
    status: row.status,
    display: row.status === "DELETED" ? "Disabled" : keyDisplayStatus(row, status, now),
    orderId: row.order.id,
    marketplaceOrderId: row.order.marketplaceOrderId,
    customerName: row.order.customer.name,
    emails: row.order.customer.users.map((u) => u.email),
    modelScope: row.modelScope,
    spendLimitMicros: row.spendLimitMicros,
    spendLimitPeriod: row.spendLimitPeriod,
    rpmLimit: row.rpmLimit,
    tpmLimit: row.tpmLimit,
    ipAllowlist: row.ipAllowlist,
    lastUsedAt: row.lastUsedAt,
    createdAt: row.createdAt,
  };
}

/** One page of keys for the console, newest first unless turned around. */
export async function listConsoleKeys(db: Prisma, input: { query: KeyListQuery; take?: number; now?: Date }): Promise<Page<ConsoleKeySummary>> {
  const { dir, q, status } = input.query;
  const take = input.take ?? 50;
  const position = decodeCursor(input.query.cursor, createdCursor);
  const rows = await db.apiKey.findMany({
    where: {
      AND: [
        searchWhere(q),
        status ? { status } : {},
        position ? { OR: [{ createdAt: beyond(dir, position[0]) }, { createdAt: position[0], id: beyond(dir, position[1]) }] } : {},
      ],
    },
    orderBy: [{ createdAt: dir }, { id: dir }],
    take: take + 1,
    select: summarySelect,
  });
  const page = toPage(rows, take, (r) => encodeCursor([r.createdAt.toISOString(), r.id]));
  const now = input.now ?? new Date();
  return { nextCursor: page.nextCursor, rows: page.rows.map((r) => toSummary(r, now)) };
}

export interface ConsoleKeyDetail extends ConsoleKeySummary {
  orderStatus: OrderStatus;
  accessStart: Date;
  accessEnd: Date;
  plan: { name: string; models: string[]; rpm: number; tpm: number | null };
  expiresAt: Date | null;
  revealedAt: Date | null;
  handedOutAt: Date | null;
  replacedAt: Date | null;
  validUntil: Date | null;
  disabledAt: Date | null;
  deletedAt: Date | null;
  /** The key this one was replaced by, and the one it replaced (rotation chain). */
  replacedBy: { id: string; lastFour: string } | null;
  replaces: { id: string; lastFour: string } | null;
}

/** One key for the console's key page, or null. */
export async function getConsoleKey(db: Prisma, keyId: string, now = new Date()): Promise<ConsoleKeyDetail | null> {
  const row = await db.apiKey.findUnique({
    where: { id: keyId },
    select: {
      ...summarySelect,
      revealedAt: true,
      handedOutAt: true,
      replacedAt: true,
      validUntil: true,
      disabledAt: true,
      deletedAt: true,
      replacedBy: { select: { id: true, lastFour: true } },
      replaces: { select: { id: true, lastFour: true } },
      order: { select: { ...summarySelect.order.select, plan: { select: { name: true, models: true, rpm: true, tpm: true } } } },
    },
  });
  if (!row) return null;
  return {
    ...toSummary(row, now),
    orderStatus: orderStatus(row.order, now),
    accessStart: row.order.accessStart,
    accessEnd: row.order.accessEnd,
    plan: row.order.plan,
    expiresAt: row.expiresAt,
    revealedAt: row.revealedAt,
    handedOutAt: row.handedOutAt,
    replacedAt: row.replacedAt,
    validUntil: row.validUntil,
    disabledAt: row.disabledAt,
    deletedAt: row.deletedAt,
    replacedBy: row.replacedBy,
    replaces: row.replaces,
  };
}
