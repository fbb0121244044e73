import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireAdmin } from "@/lib/auth";
import { channelHealth, DEFAULT_BASE_URLS, getChannel } from "@/lib/channels";
import { getSecretKeys } from "@/lib/credentials";
import { getDb } from "@/lib/db";
import { ChannelForm } from "../channel-form";
import { ChannelTest } from "../channel-test";
import { EnableToggle } from "../enable-toggle";
import { CircuitBadge, LastError, successRateText, ttfbText } from "../health-cells";

export const metadata: Metadata = { title: "Channel" };
export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ChannelPage({ params, searchParams }: Props) {
  await requireAdmin();
  const [{ id }, search] = await Promise.all([params, searchParams]);
  const channel = await getChannel(getDb(), id, getSecretKeys());
  if (!channel) notFound();
  const health = (await channelHealth(getDb(), [channel.id])).get(channel.id);
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/console/channels" className="underline">
          Channels
        </Link>
      </p>
      <PageHeader
        title={
          <>
            {channel.name}{" "}
            {channel.enabled ? (
              <Badge tone="success" className="align-middle">
                Enabled
              </Badge>
            ) : (
              <Badge tone="neutral" className="align-middle">
                Disabled
              </Badge>
            )}
          </>
        }
        description={channel.baseUrl}
      />
      <div className="mt-6 grid gap-6 lg:grid-cols-2">
        <Card aria-labelledby="channel-health-title">
          <CardHeader>
            <CardTitle id="channel-health-title">Health</CardTitle>
            <CardDescription>Last hour of the request log; circuit and failovers as this server instance sees them.</CardDescription>
          </CardHeader>
          <CardContent>
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
              <dt className="text-muted">Requests</dt>
              <dd className="tabular-nums">{health?.requests ?? 0}</dd>
              <dt className="text-muted">Success</dt>
              <dd className="tabular-nums">{successRateText(health)}</dd>
              <dt className="text-muted">p50 first byte</dt>
              <dd className="tabular-nums">{ttfbText(health)}</dd>
              <dt className="text-muted">Circuit</dt>
              <dd>
                <CircuitBadge health={health} />
                {health && health.circuit.failures > 0 ? <span className="ml-2 text-xs text-muted">{health.circuit.failures} failures in a row</span> : null}
              </dd>
              <dt className="text-muted">Last error</dt>
              <dd>
                <LastError health={health} />
              </dd>
            </dl>
          </CardContent>
        </Card>
        <Card aria-labelledby="channel-test-title">
          <CardHeader>
            <CardTitle id="channel-test-title">Test</CardTitle>
            <CardDescription>Sends a one-token request the way the gateway does. Nobody is billed and the circuit is left as it is.</CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-6">
            <ChannelTest id={channel.id} models={channel.models} />
            <EnableToggle id={channel.id} name={channel.name} enabled={channel.enabled} />
          </CardContent>
        </Card>
      </div>
      <h2 className="mt-10 mb-4 text-lg font-semibold">Settings</h2>
      <ChannelForm
        key={channel.updatedAt.toISOString()}
        defaultBaseUrls={DEFAULT_BASE_URLS}
        saved={search.saved === "created" ? `Added "${channel.name}".` : undefined}
        values={{
          id: channel.id,
          name: channel.name,
          provider: channel.provider,
          baseUrl: channel.baseUrl,
          models: channel.models.join("\n"),
          modelMap: Object.entries(channel.modelMap)
            .map(([ours, theirs]) => `${ours}=${theirs}`)
            .join("\n"),
          priority: String(channel.priority),
          weight: String(channel.weight),
          enabled: channel.enabled,
          keyHint: channel.keyHint,
        }}
      />
    </>
  );
}
