"use server";

import { revalidatePath } from "next/cache";
import { after } from "next/server";
import { z } from "zod";
import { staffAction, type ActionFailure, type ActionState } from "@/lib/actions";
import { getSecretKeys } from "@/lib/credentials";
import { getDb } from "@/lib/db";
import { KeyRotationError } from "@/lib/keys";
import {
  addAgentMessage,
  formatTicketNumber,
  getTicketDesk,
  rotateKeyFromTicket,
  sendTicketMail,
  ticketBodySchema,
  TicketError,
  ticketPrioritySchema,
  ticketStatusSchema,
  updateTicket,
} from "@/lib/tickets";

export type AgentFormState = ActionState<{ status: "success"; message: string }>;

const numberSchema = z.coerce.number().int().positive().max(2_147_483_647);
const messageSchema = z.object({
  number: numberSchema,
  body: ticketBodySchema,
  // A checkbox: present ("on") for an internal note.
  internal: z
    .string()
    .optional()
    .transform((v) => v === "on" || v === "true"),
  status: ticketStatusSchema.optional(),
});
const updateSchema = z.object({
  number: numberSchema,
  status: ticketStatusSchema.optional(),
  priority: ticketPrioritySchema.optional(),
  // "" → unassigned; otherwise a user id (checked to be staff in updateTicket).
  assigneeId: z
    .string()
    .trim()
    .max(100)
    .optional()
    .transform((v) => (v === undefined ? undefined : v === "" ? null : v)),
});
const rotateSchema = z.object({
  number: numberSchema,
  keyId: z.string().trim().min(1).max(100),
  lastFour: z.string().trim().min(1, { error: "Type the key's last four characters." }).max(8),
  overlap: z.enum(["none", "1h", "24h"], { error: "Choose how long the old key keeps working." }),
});

function refusal(error: unknown): ActionFailure | undefined {
  if (error instanceof KeyRotationError) return { status: "error", message: error.message };
  if (!(error instanceof TicketError)) return undefined;
  return { status: "error", message: error.message, fieldErrors: error.field ? { [error.field]: [error.message] } : undefined };
}

async function run(number: number, act: () => Promise<string>): Promise<AgentFormState> {
  try {
    const message = await act();
    revalidatePath(`/console/tickets/${number}`);
    revalidatePath("/console/tickets");
    return { status: "success", message };
  } catch (error) {
    const failure = refusal(error);
    if (failure) return failure;
    throw error;
  }
}

// Console > Ticket > Reply or internal note (support agents and admins).
export const agentMessageAction = staffAction("SUPPORT", messageSchema, async ({ user, clientIp, input }) =>
  run(input.number, async () => {
    const desk = getTicketDesk();
    const { mail } = await addAgentMessage(
      getDb(),
      { number: input.number, actor: { userId: user.id, ip: clientIp }, body: input.body, internal: input.internal, status: input.status },
      desk,
    );
    after(() => sendTicketMail(mail, desk.mail));
    return input.internal ? "Internal note added. The buyer does not see it." : "Reply sent to the buyer.";
  }),
);

// Console > Ticket > Status, priority and assignee.
export const updateTicketAction = staffAction("SUPPORT", updateSchema, async ({ user, clientIp, input }) =>
  run(input.number, async () => {
    const desk = getTicketDesk();
    const { changed, mail } = await updateTicket(
      getDb(),
      { number: input.number, actor: { userId: user.id, ip: clientIp }, status: input.status, priority: input.priority, assigneeId: input.assigneeId },
      desk,
    );
    after(() => sendTicketMail(mail, desk.mail));
    return changed.length === 0 ? "Nothing changed." : `Saved ${changed.join(", ")}.`;
  }),
);

// Console > Ticket > Rotate key. The new key is revealed by the buyer; nothing secret comes back here.
export const rotateFromTicketAction = staffAction("SUPPORT", rotateSchema, async ({ user, clientIp, input }) =>
  run(input.number, async () => {
    const desk = getTicketDesk();
    const rotated = await rotateKeyFromTicket(
      getDb(),
      {
        number: input.number,
        keyId: input.keyId,
        lastFour: input.lastFour,
        overlap: input.overlap,
        actor: { userId: user.id, ip: clientIp },
        keys: getSecretKeys(),
      },
      desk,
    );
    after(() => sendTicketMail(rotated.mail, desk.mail));
    return `Key rotated (new key ends in ${rotated.newLastFour}). The buyer was told to reveal it on the order page; ${formatTicketNumber(input.number)} now waits on them.`;
  }),
);
