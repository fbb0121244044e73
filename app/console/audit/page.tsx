import type { Metadata } from "next";
import { LocalTime } from "@/components/local-time";
import { PageHeader } from "@/components/ui/page-header";
import { listAuditEntries } from "@/lib/audit";
import { requireAdmin } from "@/lib/auth";
import { getDb } from "@/lib/db";

export const metadata: Metadata = { title: "Audit log" };

export default async function ConsoleAuditPage() {
  await requireAdmin();
  const entries = await listAuditEntries(getDb(), { take: 100 });
  return (
    <>
      <PageHeader title="Audit log" description="The 100 newest entries. The log is append-only: nothing here can be edited or deleted." />
      {entries.length === 0 ? (
        <p className="mt-8 text-muted">Nothing recorded yet.</p>
      ) : (
        <div className="relative mt-8 overflow-x-auto rounded-lg border border-border">
          <table className="w-full min-w-[48rem] text-left text-sm">
            <thead className="bg-surface text-muted">
              <tr>
                <th scope="col" className="px-4 py-2 font-medium">
                  When
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Actor
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Action
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Target
                </th>
                <th scope="col" className="px-4 py-2 font-medium">
                  Details
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id} className="border-t border-border align-top">
                  <td className="px-4 py-3 whitespace-nowrap">
                    <LocalTime value={entry.createdAt} />
                  </td>
                  <td className="px-4 py-3 break-all">
                    {entry.actor}
                    {entry.ip ? <span className="block text-xs text-muted">{entry.ip}</span> : null}
                  </td>
                  <td className="px-4 py-3 font-mono">{entry.action}</td>
                  <td className="px-4 py-3 font-mono break-all">
                    {entry.targetType} {entry.targetId}
                  </td>
                  <td className="max-w-md px-4 py-3 font-mono text-xs break-all">{entry.details}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
