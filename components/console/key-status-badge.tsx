import type { ApiKeyStatus } from "@/lib/db/types";
import type { KeyDisplayStatus } from "@/lib/keys/key-display-status";
import { Badge, type BadgeTone } from "../ui/badge";

const tones: Record<KeyDisplayStatus, BadgeTone> = {
  Active: "success",
  "Not yet active": "info",
  Disabled: "danger",
  Replaced: "warning",
  Expired: "neutral",
};

/** A key's status in the console: the stored status when it is an operator's act (deleted), else what the buyer sees. */
export function KeyStatusBadge({ status, display }: { status: ApiKeyStatus; display: KeyDisplayStatus }) {
  if (status === "DELETED") return <Badge tone="danger">Deleted</Badge>;
  return <Badge tone={tones[display]}>{display}</Badge>;
}
