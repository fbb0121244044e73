import { Badge } from "../ui/badge";

/** An HTTP status from the request log, with its error code when the gateway refused or failed. */
export function RequestStatus({ status, errorCode }: { status: number; errorCode: string | null }) {
  return (
    <span className="inline-flex flex-wrap items-center gap-1">
      <Badge tone={status < 400 ? "success" : status >= 500 ? "danger" : "warning"}>{status}</Badge>
      {errorCode ? <span className="font-mono text-xs">{errorCode}</span> : null}
    </span>
  );
}
