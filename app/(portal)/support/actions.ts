"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { after } from "next/server";
import { z } from "zod";
import { buyerAction, type ActionFailure, type ActionState } from "@/lib/actions";
import { getDb } from "@/lib/db";
import {
  addBuyerReply,
  closeBuyerTicket,
  getTicketDesk,
  openTicket,
  optionalIdSchema,
  requestIdsSchema,
  sendTicketMail,
  ticketBodySchema,
  ticketCategorySchema,
  TicketError,
  ticketSubjectSchema,
} from "@/lib/tickets";

export type TicketFormState = ActionState<{ status: "success"; message: string }>;

const openTicketSchema = z.object({
  category: ticketCategorySchema,
  subject: ticketSubjectSchema,
  body: ticketBodySchema,
  orderId: optionalIdSchema,
  requestIds: requestIdsSchema,
});
const ticketNumberSchema = z.coerce.number().int().positive().max(2_147_483_647);
const replySchema = z.object({ number: ticketNumberSchema, body: ticketBodySchema });
const closeSchema = z.object({ number: ticketNumberSchema });

/** A domain refusal as form state: the message, and under its field when it names one. */
function refusal(error: unknown): ActionFailure | undefined {
  if (!(error instanceof TicketError)) return undefined;
  return { status: "error", message: error.message, fieldErrors: error.field ? { [error.field]: [error.message] } : undefined };
}

// Support > New ticket. The order and request ids are checked against the buyer's own account in
// openTicket; the desk's mail goes out after the response.
export const openTicketAction = buyerAction(openTicketSchema, async ({ user, customerId, clientIp, input }): Promise<TicketFormState> => {
  const desk = getTicketDesk();
  let number: number;
  try {
    const opened = await openTicket(getDb(), { ...input, customerId, userId: user.id, ip: clientIp }, desk);
    number = opened.number;
    after(() => sendTicketMail(opened.mail, desk.mail));
  } catch (error) {
    const failure = refusal(error);
    if (failure) return failure;
    throw error;
  }
  revalidatePath("/support");
  redirect(`/support/${number}?opened=1`);
});

// Ticket page > Reply. Reopens a ticket that was waiting on the buyer or resolved.
export const replyToTicketAction = buyerAction(replySchema, async ({ user, customerId, clientIp, input }): Promise<TicketFormState> => {
  const desk = getTicketDesk();
  try {
    const result = await addBuyerReply(getDb(), { customerId, userId: user.id, number: input.number, body: input.body, ip: clientIp }, desk);
    after(() => sendTicketMail(result.mail, desk.mail));
  } catch (error) {
    const failure = refusal(error);
    if (failure) return failure;
    throw error;
  }
  revalidatePath(`/support/${input.number}`);
  return { status: "success", message: "Reply sent. Support will answer here and by email." };
});

// Ticket page > Close ticket.
export const closeTicketAction = buyerAction(closeSchema, async ({ user, customerId, clientIp, input }): Promise<TicketFormState> => {
  try {
    await closeBuyerTicket(getDb(), { customerId, userId: user.id, number: input.number, ip: clientIp });
  } catch (error) {
    const failure = refusal(error);
    if (failure) return failure;
    throw error;
  }
  revalidatePath(`/support/${input.number}`);
  revalidatePath("/support");
  return { status: "success", message: "Ticket closed." };
});
