// GET /admin/campaigns/{id}/stats shaped for the results screen: the funnel of each step and
// variant, revenue per currency (never added across currencies), deferrals and skips by
// reason; and the abandoned-cart audience as a CSV file.

import type { components } from "../api/schema";

export type CampaignStats = components["schemas"]["CampaignStats"];
export type StepStats = components["schemas"]["StepStats"];

export const STAGES = ["entered", "sent", "delivered", "opened", "clicked", "converted"] as const;
export type Stage = (typeof STAGES)[number];

/** Who a row counts: the whole campaign (`step` null) or one step's variant. */
export interface Group {
  key: string;
  /** 0-based step index, null for the whole campaign. */
  step: number | null;
  variant: string | null;
  /** Whether the step has another variant (its label then names this one). */
  split: boolean;
}

export type FunnelRow = Group & Record<Stage, number | null>;

function groupsOf(stats: CampaignStats): Group[] {
  const variants = new Map<number, number>();
  for (const s of stats.steps) variants.set(s.step, (variants.get(s.step) ?? 0) + 1);
  return stats.steps.map((s) => ({
    key: `step-${s.step}-${s.variant}`,
    step: s.step,
    variant: s.variant,
    split: (variants.get(s.step) ?? 0) > 1,
  }));
}

const ALL: Group = { key: "all", step: null, variant: null, split: false };

/**
 * The funnel: the whole campaign first (carts entered and converted are counted per
 * campaign; emails are the sum of the steps'), then each step and variant. Carts enter
 * the campaign, not a step: a step's `entered` is null.
 */
export function funnelRows(stats: CampaignStats): FunnelRow[] {
  const sum = (stage: "sent" | "delivered" | "opened" | "clicked") => stats.steps.reduce((n, s) => n + s[stage], 0);
  const all: FunnelRow = {
    ...ALL,
    entered: stats.entered,
    sent: sum("sent"),
    delivered: sum("delivered"),
    opened: sum("opened"),
    clicked: sum("clicked"),
    converted: stats.converted,
  };
  const groups = groupsOf(stats);
  return [
    all,
    ...stats.steps.map((s, i) => ({
      ...(groups[i] ?? ALL),
      entered: null,
      sent: s.sent,
      delivered: s.delivered,
      opened: s.opened,
      clicked: s.clicked,
      converted: s.converted,
    })),
  ];
}

/** Every currency with revenue, in alphabetical order. */
export function currenciesOf(stats: CampaignStats): string[] {
  const found = new Set(Object.keys(stats.revenue));
  for (const s of stats.steps) for (const currency of Object.keys(s.revenue)) found.add(currency);
  return [...found].sort();
}

export interface RevenueRow extends Group {
  /** Decimal strings per currency, as the API gives them ("0" where none). */
  amounts: Record<string, string>;
}

/** Recovered revenue per currency: the campaign's, then each step's and variant's. */
export function revenueRows(stats: CampaignStats): RevenueRow[] {
  const currencies = currenciesOf(stats);
  const amounts = (revenue: Record<string, string>) =>
    Object.fromEntries(currencies.map((currency) => [currency, revenue[currency] ?? "0"]));
  const groups = groupsOf(stats);
  return [
    { ...ALL, amounts: amounts(stats.revenue) },
    ...stats.steps.map((s, i) => ({ ...(groups[i] ?? ALL), amounts: amounts(s.revenue) })),
  ];
}

export interface ReasonRow {
  reason: string;
  /** Counts by group key, and their total. */
  counts: Record<string, number>;
  total: number;
}

/**
 * Deferred or skipped emails by reason: one row per reason that counted anything (most
 * first, then by name), one count per step and variant.
 */
export function reasonRows(stats: CampaignStats, kind: "deferred" | "skipped"): { groups: Group[]; rows: ReasonRow[] } {
  const groups = groupsOf(stats);
  const reasons = new Set<string>();
  for (const s of stats.steps) for (const reason of Object.keys(s[kind])) reasons.add(reason);
  const rows = [...reasons]
    .map((reason) => {
      const counts = Object.fromEntries(stats.steps.map((s, i) => [groups[i]?.key ?? "", s[kind][reason] ?? 0]));
      const total = Object.values(counts).reduce((n, c) => n + c, 0);
      return { reason, counts, total };
    })
    .filter((row) => row.total > 0)
    .sort((a, b) => b.total - a.total || a.reason.localeCompare(b.reason));
  return { groups, rows };
}

/** The audience as the API's own CSV: `email_sha256`, then one hash a line. */
export function audienceCsv(hashes: readonly string[]): string {
  return ["email_sha256", ...hashes].join("\n") + "\n";
}

/** The file's name: `audience-cmp_….csv`. */
export function audienceFileName(campaignId: string): string {
  return `audience-${campaignId.replace(/[^a-zA-Z0-9_-]+/g, "_")}.csv`;
}
