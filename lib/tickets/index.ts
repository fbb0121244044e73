// Support tickets: buyers open and answer them on their own account; agents work the queue,
// answer, note, assign, change status and rotate keys from a ticket. Mail both ways.
export {
  addBuyerReply,
  closeBuyerTicket,
  getBuyerTicket,
  listBuyerTickets,
  type BuyerTicketSummary,
  type BuyerTicketView,
  type LinkedRequest,
  type ThreadMessage,
} from "./buyer-tickets";
export { CANNED_REPLIES, type CannedReply } from "./canned-replies";
export { closeResolvedTickets } from "./close-resolved";
export { NEW_TICKET_LIMIT, openSystemTicket, openTicket, type OpenTicketInput } from "./open-ticket";
export {
  addAgentMessage,
  getAgentTicket,
  isOverdue,
  listTicketAgents,
  listTicketQueue,
  rotateKeyFromTicket,
  TICKET_ROTATION_OVERLAPS,
  updateTicket,
  type AgentTicketView,
  type QueueTicket,
  type TicketRotationOverlap,
} from "./staff-tickets";
export { getTicketDesk, sendTicketMail, type TicketDesk } from "./ticket-desk";
export { buyerTicketUrl } from "./ticket-mail";
export { TicketError, TicketRateLimitedError } from "./ticket-errors";
export * from "./ticket-input";
export * from "./ticket-labels";
export { buyerTicketQuerySchema, QUEUE_STATUS_FILTERS, ticketQueueQuerySchema, type BuyerTicketQuery, type TicketQueueQuery } from "./ticket-list-query";
