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

// Recovered revenue over time (`by_day`): amounts are decimal strings, read exactly (never
// through a float when added) and never added across currencies.

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/** A decimal string as a number for a chart, or null when it is not a decimal. */
export function decimalNumber(amount: string | undefined): number | null {
  if (amount === undefined) return null;
  const text = amount.trim();
  if (!DECIMAL.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/** The exact sum of two decimal strings ("0.10" + "0.20" = "0.30"); null when one is not a decimal. */
export function addDecimals(a: string, b: string): string | null {
  const x = DECIMAL.exec(a.trim());
  const y = DECIMAL.exec(b.trim());
  if (x === null || y === null) return null;
  const scale = Math.max(x[3]?.length ?? 0, y[3]?.length ?? 0);
  const scaled = (m: RegExpExecArray) => {
    const units = BigInt(`${m[2] ?? "0"}${(m[3] ?? "").padEnd(scale, "0")}`);
    return m[1] === "-" ? -units : units;
  };
  const sum = scaled(x) + scaled(y);
  const negative = sum < 0n;
  const digits = (negative ? -sum : sum).toString().padStart(scale + 1, "0");
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale);
  return `${negative ? "-" : ""}${whole}${scale > 0 ? `.${fraction}` : ""}`;
}

/** One day of the API's `by_day`, with its amounts per currency as given. */
export interface DayRow {
  day: string;
  converted: number;
  /** Decimal strings per currency (only the currencies that day had). */
  amounts: Record<string, string>;
}

/** One day of the chart: every day from the first to the last, a day without any as 0. */
export interface DayPoint {
  day: string;
  converted: number;
  /** Amounts per currency, as numbers for the chart (0 where none). */
  values: Record<string, number>;
}

export interface RevenueByDay {
  /** The currencies that had revenue on some day, in alphabetical order (one series each). */
  currencies: string[];
  /** The days the API gave (those with conversions), oldest first: the table. */
  rows: DayRow[];
  /** Every day from the first to the last, gaps as 0: the chart. */
  points: DayPoint[];
  /** Carts converted, and the exact sum per currency, over those days. */
  converted: number;
  totals: Record<string, string>;
}

const DAY_MS = 86_400_000;
/** A chart of at most this many days (three years): more says nothing a table does not. */
const MAX_DAYS = 1100;

function isDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}

/** Every UTC day from `from` to `to`, both included. */
function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end && out.length < MAX_DAYS; t += DAY_MS) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/**
 * `by_day` shaped for the chart and its table: the days sorted (a day given twice counted
 * once, its amounts added exactly), every day between the first and the last for the chart,
 * one series per currency, and the period's totals per currency.
 */
export function revenueByDay(stats: CampaignStats): RevenueByDay {
  const byDay = new Map<string, DayRow>();
  for (const entry of stats.by_day ?? []) {
    if (!isDay(entry.day)) continue;
    const row = byDay.get(entry.day) ?? { day: entry.day, converted: 0, amounts: {} };
    row.converted += entry.converted;
    for (const [currency, amount] of Object.entries(entry.revenue)) {
      const before = row.amounts[currency];
      row.amounts[currency] = before === undefined ? amount : (addDecimals(before, amount) ?? before);
    }
    byDay.set(entry.day, row);
  }
  const rows = [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
  const currencies = [...new Set(rows.flatMap((row) => Object.keys(row.amounts)))].sort();
  const first = rows[0];
  const last = rows.at(-1);
  const points =
    first === undefined || last === undefined
      ? []
      : daysBetween(first.day, last.day).map((day) => {
          const row = byDay.get(day);
          return {
            day,
            converted: row?.converted ?? 0,
            values: Object.fromEntries(currencies.map((currency) => [currency, decimalNumber(row?.amounts[currency]) ?? 0])),
          };
        });
  const totals: Record<string, string> = {};
  for (const row of rows) {
    for (const [currency, amount] of Object.entries(row.amounts)) {
      const before = totals[currency];
      totals[currency] = before === undefined ? amount : (addDecimals(before, amount) ?? before);
    }
  }
  return { currencies, rows, points, converted: rows.reduce((n, row) => n + row.converted, 0), totals };
}
