// Who may use what: the groups each operation of docs/openapi.yaml allows ("Groups: ..."),
// in one place, so that the navigation and the inbox's tabs never offer a 403.

import type { Group } from "./auth/session";

/** The inbox's tabs and the operation each one lists. */
export const INBOX_TABS = {
  /** GET /admin/cases */
  cases: ["liaison-admin", "liaison-support"],
  /** GET /admin/questions */
  questions: ["liaison-admin", "liaison-support", "liaison-marketer"],
  /** GET /admin/opportunities */
  opportunities: ["liaison-admin", "liaison-sales"],
  /** GET /admin/moderation?decision=hold, PUT /admin/moderation/{id} */
  moderation: ["liaison-admin", "liaison-support"],
} as const satisfies Record<string, readonly Group[]>;

export type InboxTab = keyof typeof INBOX_TABS;
export const INBOX_TAB_ORDER: readonly InboxTab[] = ["cases", "questions", "opportunities", "moderation"];

export function mayUse(allowed: readonly Group[], groups: readonly Group[]): boolean {
  return groups.some((group) => allowed.includes(group));
}

export function inboxTabsFor(groups: readonly Group[]): InboxTab[] {
  return INBOX_TAB_ORDER.filter((tab) => mayUse(INBOX_TABS[tab], groups));
}

/** A screen of the console: its path under /console, its label's i18n key, who may open it. */
export interface Screen {
  id: "inbox";
  path: string;
  labelKey: "nav.inbox";
  visibleTo: (groups: readonly Group[]) => boolean;
}

/** Built screens only, in navigation order (later: contacts, campaigns, reports, sources). */
export const SCREENS: readonly Screen[] = [
  { id: "inbox", path: "/inbox", labelKey: "nav.inbox", visibleTo: (groups) => inboxTabsFor(groups).length > 0 },
];

export function screensFor(groups: readonly Group[]): Screen[] {
  return SCREENS.filter((screen) => screen.visibleTo(groups));
}
