// A contact's export (GET /admin/contacts/{id}/export, admins only), whole: the first answer
// and then, for each kind of timeline item with more, its next parts (`?kind=&after=`), put
// together into one JSON file the browser downloads (a Blob and an object URL: nothing leaves
// the page but to the user's disk).

import type { ContactExport, TimelineKind } from "./queries";

export const TIMELINE_KINDS: readonly TimelineKind[] = [
  "contributions",
  "cases",
  "opportunities",
  "questions",
  "emails",
  "carts",
  "callbacks",
  "answers",
];

function isKind(value: string): value is TimelineKind {
  return (TIMELINE_KINDS as readonly string[]).includes(value);
}

export type FetchPart = (part: { kind: TimelineKind; after: string } | null) => Promise<ContactExport>;

/** The export with every part of every kind; `more` empty. At most `maxParts` calls after the first. */
export async function fullExport(fetchPart: FetchPart, maxParts = 1000): Promise<ContactExport> {
  const first = await fetchPart(null);
  const whole: ContactExport = { ...first, more: {} };
  const pending: [TimelineKind, string][] = Object.entries(first.more).flatMap(([kind, cursor]) =>
    isKind(kind) ? [[kind, cursor] as [TimelineKind, string]] : [],
  );
  let parts = 0;
  while (pending.length > 0) {
    const [kind, after] = pending.shift()!;
    parts += 1;
    if (parts > maxParts) throw new Error("the export has more parts than expected");
    const part = await fetchPart({ kind, after });
    whole[kind] = [...(whole[kind] ?? []), ...(part[kind] ?? [])];
    const next = part.more[kind];
    if (next !== undefined && next !== "") pending.push([kind, next]);
  }
  return whole;
}

/** How many timeline items the export holds. */
export function exportedItems(exported: ContactExport): number {
  return TIMELINE_KINDS.reduce((sum, kind) => sum + (exported[kind]?.length ?? 0), 0);
}

/** `contact-{id}-{YYYY-MM-DD}.json`, the id kept to safe characters. */
export function exportFileName(id: string, now: Date | number = Date.now()): string {
  const safe = id.replace(/[^A-Za-z0-9_-]/g, "_");
  return `contact-${safe}-${new Date(now).toISOString().slice(0, 10)}.json`;
}

/** Downloads `value` as a JSON file named `name` (a Blob, an object URL, a link clicked). */
export function downloadJson(name: string, value: unknown, doc: Document = document): void {
  const blob = new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = doc.createElement("a");
  link.href = url;
  link.download = name;
  link.hidden = true;
  doc.body.append(link);
  link.click();
  link.remove();
  // Revoked once the browser has taken the file.
  setTimeout(() => URL.revokeObjectURL(url), 30_000);
}
