// A contact's timeline entries (table items of eight kinds) as the page shows them: a line of
// what it is, its state, and where it leads.

import type { TimelineEntry } from "./queries";

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value : undefined;
}

function field(entry: TimelineEntry, name: string): unknown {
  return (entry as Record<string, unknown>)[name];
}

/** What the entry says: a contribution's or an item's text, an email's subject, an answer's text. */
export function entryText(entry: TimelineEntry): string | undefined {
  switch (entry.timeline_kind) {
    case "contributions": {
      const contribution = field(entry, "contribution");
      return typeof contribution === "object" && contribution !== null
        ? text((contribution as Record<string, unknown>).text)
        : undefined;
    }
    case "emails":
      return text(field(entry, "subject"));
    default:
      return text(field(entry, "text")) ?? text(field(entry, "note"));
  }
}

/** Its state where it has one: a case's status, a cart's, an answer's. */
export function entryState(entry: TimelineEntry): string | undefined {
  return text(field(entry, "cart_status")) ?? text(field(entry, "state")) ?? text(field(entry, "status"));
}

export function entryPlatform(entry: TimelineEntry): string | undefined {
  return text(field(entry, "platform"));
}

/** The conversation page of a case, question or opportunity entry. */
export function entryPath(entry: TimelineEntry): string | undefined {
  const id = text(entry.id);
  if (id === undefined) return undefined;
  switch (entry.timeline_kind) {
    case "cases":
      return `/cases/${encodeURIComponent(id)}`;
    case "questions":
      return `/questions/${encodeURIComponent(id)}`;
    case "opportunities":
      return `/opportunities/${encodeURIComponent(id)}`;
    default:
      return undefined;
  }
}

export interface PastContribution {
  id: string;
  platform: string | undefined;
  text: string;
  at: string | null;
}

/** The contributions of a timeline page, but the one in view (`exceptId`), newest first. */
export function pastContributions(entries: readonly TimelineEntry[], exceptId?: string): PastContribution[] {
  return entries
    .filter((entry) => entry.timeline_kind === "contributions" && entry.id !== exceptId)
    .map((entry) => ({
      id: entry.id ?? "",
      platform: entryPlatform(entry),
      text: entryText(entry) ?? "",
      at: entry.timeline_at,
    }));
}
