import { Badge, type BadgeTone } from "@/components/ui/badge";
import { BUYER_STATUS_LABELS, PRIORITY_LABELS, STATUS_LABELS, type TicketPriority, type TicketStatus } from "@/lib/tickets/ticket-labels";

const STATUS_TONES: Record<TicketStatus, BadgeTone> = { OPEN: "info", WAITING_ON_CUSTOMER: "warning", RESOLVED: "success", CLOSED: "neutral" };
const PRIORITY_TONES: Record<TicketPriority, BadgeTone> = { LOW: "neutral", NORMAL: "neutral", HIGH: "warning", URGENT: "danger" };

/** A ticket's status in the words of whoever reads it. */
export function TicketStatusBadge({ status, forBuyer = false }: { status: TicketStatus; forBuyer?: boolean }) {
  return <Badge tone={STATUS_TONES[status]}>{(forBuyer ? BUYER_STATUS_LABELS : STATUS_LABELS)[status]}</Badge>;
}

export function TicketPriorityBadge({ priority }: { priority: TicketPriority }) {
  return <Badge tone={PRIORITY_TONES[priority]}>{PRIORITY_LABELS[priority]}</Badge>;
}
