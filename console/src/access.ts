// Who may use what: the groups each operation of docs/openapi.yaml allows ("Groups: ..."),
// in one place, so that the navigation and the inbox's tabs never offer a 403.

import type { Group } from "./auth/session";
import { BUILT_SCREENS } from "./built";

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

/** The screens of the console, by id. */
export type ScreenId =
  | "inbox"
  | "contacts"
  | "campaigns"
  | "reports"
  | "sources"
  | "endpoints"
  | "rules"
  | "templates"
  | "callbacks"
  | "referrals"
  | "programmes";

/** A screen of the console: its path under /console, its label's i18n key, who may open it. */
export interface Screen {
  id: ScreenId;
  path: string;
  labelKey: `nav.${ScreenId}`;
  visibleTo: (groups: readonly Group[]) => boolean;
}

const allowed =
  (...groups: readonly Group[]) =>
  (user: readonly Group[]) =>
    mayUse(groups, user);

/** Every screen, in navigation order, with the groups its operations allow
 * (docs/openapi.yaml); only those in [`BUILT_SCREENS`] are offered. */
export const ALL_SCREENS: readonly Screen[] = [
  { id: "inbox", path: "/inbox", labelKey: "nav.inbox", visibleTo: (groups) => inboxTabsFor(groups).length > 0 },
  { id: "contacts", path: "/contacts", labelKey: "nav.contacts", visibleTo: allowed("liaison-admin", "liaison-support", "liaison-sales") },
  { id: "campaigns", path: "/campaigns", labelKey: "nav.campaigns", visibleTo: allowed("liaison-admin", "liaison-marketer") },
  { id: "reports", path: "/reports", labelKey: "nav.reports", visibleTo: allowed("liaison-admin", "liaison-marketer", "liaison-support", "liaison-sales") },
  { id: "callbacks", path: "/callbacks", labelKey: "nav.callbacks", visibleTo: allowed("liaison-admin", "liaison-sales") },
  { id: "referrals", path: "/referrals", labelKey: "nav.referrals", visibleTo: allowed("liaison-admin", "liaison-marketer", "liaison-sales") },
  { id: "rules", path: "/rules", labelKey: "nav.rules", visibleTo: allowed("liaison-admin", "liaison-support") },
  { id: "templates", path: "/templates", labelKey: "nav.templates", visibleTo: allowed("liaison-admin", "liaison-marketer") },
  { id: "programmes", path: "/programmes", labelKey: "nav.programmes", visibleTo: allowed("liaison-admin", "liaison-marketer") },
  { id: "sources", path: "/sources", labelKey: "nav.sources", visibleTo: allowed("liaison-admin") },
  { id: "endpoints", path: "/endpoints", labelKey: "nav.endpoints", visibleTo: allowed("liaison-admin") },
];

/** The screens built so far: each area lists its own (its folder's built.ts). */
export const SCREENS: readonly Screen[] = ALL_SCREENS.filter((screen) => BUILT_SCREENS.includes(screen.id));

export function screensFor(groups: readonly Group[]): Screen[] {
  return SCREENS.filter((screen) => screen.visibleTo(groups));
}
