import type { Metadata } from "next";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { ButtonLink } from "@/components/ui/button";
import { DataTable, ListFilter, type DataTableColumn } from "@/components/ui/data-table";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdmin } from "@/lib/auth";
import { channelHealth, channelListQuerySchema, listChannels, type ChannelHealth, type ChannelSummary } from "@/lib/channels";
import { getSecretKeys } from "@/lib/credentials";
import { getDb } from "@/lib/db";
import { CircuitBadge, LastError, successRateText, ttfbText } from "./health-cells";

export const metadata: Metadata = { title: "Channels" };
export const dynamic = "force-dynamic";

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const PROVIDER_LABELS = { OPENAI: "OpenAI", ANTHROPIC: "Anthropic", GEMINI: "Gemini" } as const;

export default async function ConsoleChannelsPage({ searchParams }: Props) {
  await requireAdmin();
  const query = channelListQuerySchema.parse(await searchParams);
  const channels = await listChannels(getDb(), { query, keys: getSecretKeys() });
  const health = await channelHealth(
    getDb(),
    channels.rows.map((c) => c.id),
  );
  const h = (c: ChannelSummary): ChannelHealth | undefined => health.get(c.id);

  const columns: DataTableColumn<ChannelSummary>[] = [
    {
      id: "name",
      header: "Channel",
      sortKey: "name",
      rowHeader: true,
      className: "min-w-52",
      cell: (c) => (
        <>
          <Link href={`/console/channels/${c.id}`} className="font-medium break-words underline-offset-2 hover:underline">
            {c.name}
          </Link>
          <span className="block text-xs break-all text-muted">{c.baseUrl}</span>
        </>
      ),
    },
    { id: "state", header: "State", cell: (c) => (c.enabled ? <Badge tone="success">Enabled</Badge> : <Badge tone="neutral">Disabled</Badge>) },
    { id: "provider", header: "Provider", cell: (c) => PROVIDER_LABELS[c.provider] },
    { id: "models", header: "Models", cell: (c) => <span title={c.models.join(", ")}>{c.models.length}</span> },
    { id: "priority", header: "Priority", className: "tabular-nums", cell: (c) => c.priority },
    { id: "weight", header: "Weight", className: "tabular-nums", cell: (c) => c.weight },
    { id: "key", header: "Key", className: "font-mono whitespace-nowrap", cell: (c) => c.keyHint },
    { id: "requests", header: "Requests (1 h)", className: "tabular-nums", cell: (c) => h(c)?.requests ?? 0 },
    { id: "success", header: "Success", className: "tabular-nums whitespace-nowrap", cell: (c) => successRateText(h(c)) },
    { id: "ttfb", header: "p50 first byte", className: "tabular-nums whitespace-nowrap", cell: (c) => ttfbText(h(c)) },
    { id: "circuit", header: "Circuit", cell: (c) => <CircuitBadge health={h(c)} /> },
    { id: "error", header: "Last error", className: "min-w-48", cell: (c) => <LastError health={h(c)} /> },
  ];

  return (
    <>
      <PageHeader
        title="Channels"
        description="The upstreams the gateway forwards to. Higher priority is tried first; equal priorities share traffic by weight. Changes apply to the next request."
        actions={<ButtonLink href="/console/channels/new">Add a channel</ButtonLink>}
      />
      <ListFilter pathname="/console/channels" state={query} id="channel-query" label="Search by name, URL or model" />
      <DataTable
        label="Channels"
        className="mt-6"
        minWidth="min-w-[80rem]"
        columns={columns}
        rows={channels.rows}
        rowKey={(c) => c.id}
        list={{ pathname: "/console/channels", state: query, nextCursor: channels.nextCursor }}
        empty={<p className="text-muted">{query.q ? "No channels match." : "No channels yet."}</p>}
      />
      <p className="mt-3 text-xs text-muted">
        Requests, success (answered 2xx) and median time to first byte cover the last hour of the request log; the last error, the last day. The circuit and
        upstream failures that were failed over are this server instance&apos;s own view: each instance keeps its own.
      </p>
    </>
  );
}
