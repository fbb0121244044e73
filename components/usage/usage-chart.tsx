"use client";

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatUsd } from "@/lib/billing/money";

// Okabe–Ito: told apart with the common colour-vision deficiencies, on light and dark backgrounds.
// Never the only cue: the legend names each colour and the table below the chart has every number.
export const SERIES_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442"] as const;
const OTHER_COLOUR = "#8A8A8A";

export type UsageMetric = "cost" | "requests" | "tokens";

export interface UsageChartProps {
  metric: UsageMetric;
  days: string[];
  series: { id: string; label: string }[];
  /** One entry per day and series: the value of `metric` (micro-dollars for cost). */
  points: { day: string; series: string; value: number }[];
}

const MAX_SERIES = SERIES_COLOURS.length;

function formatValue(metric: UsageMetric, value: number): string {
  if (metric === "cost") return formatUsd(Math.round(value));
  return value.toLocaleString("en-US");
}

function formatAxis(metric: UsageMetric, value: number): string {
  if (metric !== "cost") return Intl.NumberFormat("en-US", { notation: "compact" }).format(value);
  const usd = value / 1_000_000;
  return usd === 0
    ? "$0"
    : usd < 0.01
      ? `$${usd.toPrecision(1)}`
      : `$${Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 2 }).format(usd)}`;
}

/** Stacked bars per UTC day, one colour per model or key (the dearest few; the rest as "Other"). */
export function UsageChart({ metric, days, series, points }: UsageChartProps) {
  const shown = series.slice(0, MAX_SERIES);
  const shownIds = new Set(shown.map((s) => s.id));
  const hasOther = series.length > MAX_SERIES;
  const byDay = new Map<string, Record<string, number | string>>(days.map((d) => [d, { day: d }]));
  for (const p of points) {
    const row = byDay.get(p.day);
    if (!row) continue;
    const id = shownIds.has(p.series) ? p.series : "__other";
    row[id] = ((row[id] as number | undefined) ?? 0) + p.value;
  }
  const data = [...byDay.values()];
  const bars = [
    ...shown.map((s, i) => ({ id: s.id, label: s.label, colour: SERIES_COLOURS[i]! })),
    ...(hasOther ? [{ id: "__other", label: "Other", colour: OTHER_COLOUR }] : []),
  ];

  return (
    <div className="h-72 w-full text-muted sm:h-80">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="currentColor" strokeOpacity={0.25} vertical={false} />
          <XAxis dataKey="day" tick={{ fill: "currentColor", fontSize: 12 }} tickFormatter={(d: string) => d.slice(5)} minTickGap={12} stroke="currentColor" />
          <YAxis tick={{ fill: "currentColor", fontSize: 12 }} tickFormatter={(v: number) => formatAxis(metric, v)} width={56} stroke="currentColor" />
          <Tooltip
            formatter={(value) => formatValue(metric, Number(value))}
            labelFormatter={(label) => `${String(label)} (UTC)`}
            contentStyle={{ background: "var(--surface)", border: "1px solid var(--border)", color: "var(--foreground)" }}
            cursor={{ fill: "currentColor", fillOpacity: 0.08 }}
          />
          <Legend wrapperStyle={{ fontSize: 13 }} formatter={(value) => <span style={{ color: "var(--foreground)" }}>{String(value)}</span>} />
          {bars.map((b) => (
            <Bar
              key={b.id}
              dataKey={b.id}
              name={b.label}
              stackId="usage"
              fill={b.colour}
              stroke="var(--background)"
              strokeWidth={1}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
