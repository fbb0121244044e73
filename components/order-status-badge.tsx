import type { OrderStatus } from "@/lib/time/order-status";
import { Badge, type BadgeTone } from "./ui/badge";

const presentation: Record<OrderStatus, { label: string; tone: BadgeTone }> = {
  PENDING: { label: "Pending", tone: "info" },
  ACTIVE: { label: "Active", tone: "success" },
  EXPIRED: { label: "Expired", tone: "neutral" },
  CANCELLED: { label: "Cancelled", tone: "danger" },
  REFUNDED: { label: "Refunded", tone: "danger" },
};

export function OrderStatusBadge({ status }: { status: OrderStatus }) {
  const { label, tone } = presentation[status];
  return <Badge tone={tone}>{label}</Badge>;
}
