// The reports' figures shaped for a chart and its table: the date range (UTC days), counts
// per group (every day of the range for `by=day`), response times, cases within and past
// their SLA per priority, and money per currency, never added across currencies.

import { LABELS } from "../inbox/filters";
import type { CorrectionsReport, CountReport, Label, PerCurrency, PerGroupPerCurrency, ResponseTimes, RevenueReport } from "./queries";

const DAY_MS = 86_400_000;

export interface DayRange {
  from: string;
  to: string;
}

/** `YYYY-MM-DD` of a time, in UTC (the API's days). */
export function utcDay(time: Date | number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** The last `days` days, today (UTC) included: 30 by default. */
export function defaultRange(now: Date | number, days = 30): DayRange {
  const today = new Date(now).getTime();
  return { from: utcDay(today - (days - 1) * DAY_MS), to: utcDay(today) };
}

export function isDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && utcDay(time) === value;
}

export type RangeProblem = "fromInvalid" | "toInvalid" | "order";

/** Why a range cannot be asked for, or null. */
export function rangeProblem(range: DayRange): RangeProblem | null {
  if (!isDay(range.from)) return "fromInvalid";
  if (!isDay(range.to)) return "toInvalid";
  if (range.to < range.from) return "order";
  return null;
}

/** The range the page's URL holds (`?from=&to=`), else the default. */
export function rangeFrom(params: URLSearchParams, now: Date | number): DayRange {
  const fallback = defaultRange(now);
  const range = { from: params.get("from") ?? fallback.from, to: params.get("to") ?? fallback.to };
  return rangeProblem(range) === null ? range : fallback;
}

/** Every day from `from` to `to`, both included (at most `max`). */
export function daysOf(range: DayRange, max = 400): string[] {
  const out: string[] = [];
  const end = Date.parse(`${range.to}T00:00:00Z`);
  for (let t = Date.parse(`${range.from}T00:00:00Z`); t <= end && out.length < max; t += DAY_MS) out.push(utcDay(t));
  return out;
}

export interface CountRow {
  key: string;
  count: number;
}

/** The report's groups; `by=day` gives every day of its range, a day without any as 0. */
export function countRows(report: CountReport): CountRow[] {
  if (report.by !== "day") return report.groups.map(({ key, count }) => ({ key, count }));
  const counted = new Map(report.groups.map(({ key, count }) => [key, count]));
  const days = daysOf({ from: report.from, to: report.to });
  return days.map((day) => ({ key: day, count: counted.get(day) ?? 0 }));
}

export type Measure = "firstAnswer" | "close";

export interface ResponseRow {
  measure: Measure;
  count: number;
  median: number | null;
  p90: number | null;
}

/** Time to the first published answer and to closing, each with how many cases had one. */
export function responseRows(report: ResponseTimes): ResponseRow[] {
  return [
    { measure: "firstAnswer", count: report.first_answer.count, median: report.first_answer.median_minutes, p90: report.first_answer.p90_minutes },
    { measure: "close", count: report.close.count, median: report.close.median_minutes, p90: report.close.p90_minutes },
  ];
}

/** How many cases were opened in the range, and how many of them were answered and closed. */
export function responseCounts(report: ResponseTimes): { opened: number; answered: number; closed: number } {
  return { opened: report.cases, answered: report.first_answer.count, closed: report.close.count };
}

/** The priorities a case has (shared/src/contracts/work.rs), each shown even when it has no case. */
export const PRIORITIES = ["P1", "P2", "P3"] as const;

export interface SlaCounts {
  within: number;
  past: number;
  running: number;
}

export interface SlaRow extends SlaCounts {
  /** `P1` to `P3`, or what else the API grouped by (`unknown`: a case without a priority). */
  priority: string;
  total: number;
}

export interface SlaFigures {
  /** P1 to P3 (zeros where none), then any other group the API gave, in its order of name. */
  rows: SlaRow[];
  /** The API's own totals. */
  totals: SlaRow;
  /** Cases opened in the range without a due time (not counted against an SLA). */
  withoutSla: number;
  /** Within ÷ (within + past): the share of settled cases in time; null when none settled. */
  withinShare: number | null;
}

const NO_SLA: SlaCounts = { within: 0, past: 0, running: 0 };

function slaRow(priority: string, counts: Partial<SlaCounts> | undefined): SlaRow {
  const within = counts?.within ?? 0;
  const past = counts?.past ?? 0;
  const running = counts?.running ?? 0;
  return { priority, within, past, running, total: within + past + running };
}

/** The SLA figures of a response-times report, per priority and in all. */
export function slaFigures(report: ResponseTimes): SlaFigures {
  const byPriority: Record<string, Partial<SlaCounts> | undefined> = report.sla_by_priority ?? {};
  const known = new Set<string>(PRIORITIES);
  const others = Object.keys(byPriority)
    .filter((priority) => !known.has(priority))
    .sort((a, b) => (a === "unknown" ? 1 : b === "unknown" ? -1 : a.localeCompare(b)));
  const rows = [...PRIORITIES, ...others].map((priority) => slaRow(priority, byPriority[priority]));
  const totals = slaRow("", report.sla ?? NO_SLA);
  const settled = totals.within + totals.past;
  return {
    rows,
    totals,
    withoutSla: Math.max(0, report.cases - totals.total),
    withinShare: settled === 0 ? null : totals.within / settled,
  };
}

/** A decimal string as a number for a chart (0 when unreadable). */
export function amountNumber(amount: string | undefined): number {
  const value = Number(amount);
  return amount === undefined || !Number.isFinite(value) ? 0 : value;
}

/** Every currency the revenue report names, sorted. */
export function currenciesOf(report: RevenueReport): string[] {
  const seen = new Set<string>();
  const add = (sums: PerCurrency | undefined) => Object.keys(sums ?? {}).forEach((c) => seen.add(c));
  const addGroups = (groups: PerGroupPerCurrency | undefined) => Object.values(groups ?? {}).forEach(add);
  add(report.opportunities.revenue);
  addGroups(report.opportunities.by_week);
  addGroups(report.opportunities.by_platform);
  addGroups(report.opportunities.by_source);
  add(report.relaunch.revenue);
  add(report.referrals.revenue);
  add(report.referrals.rewards);
  addGroups(report.referrals.by_week);
  return [...seen].sort();
}

/** One currency's totals: each a decimal string as the API gave it, or undefined when none. */
export interface CurrencyTotals {
  currency: string;
  opportunities: string | undefined;
  relaunch: string | undefined;
  referrals: string | undefined;
  rewards: string | undefined;
}

export function revenueTotals(report: RevenueReport): CurrencyTotals[] {
  return currenciesOf(report).map((currency) => ({
    currency,
    opportunities: report.opportunities.revenue[currency],
    relaunch: report.relaunch.revenue[currency],
    referrals: report.referrals.revenue[currency],
    rewards: report.referrals.rewards[currency],
  }));
}

export interface WeekRow {
  week: string;
  /** For the chart: the amounts as numbers (0 when none). */
  opportunities: number;
  referrals: number;
  /** For the table: the decimals as the API gave them, undefined when none. */
  opportunitiesAmount: string | undefined;
  referralsAmount: string | undefined;
}

/** Per currency, per ISO week: opportunities won and referred orders (one chart per currency). */
export function weeklyRevenue(report: RevenueReport): { currency: string; weeks: WeekRow[] }[] {
  const opportunities = report.opportunities.by_week;
  const referrals = report.referrals.by_week;
  const out: { currency: string; weeks: WeekRow[] }[] = [];
  for (const currency of currenciesOf(report)) {
    const weeks = new Set<string>();
    for (const [week, sums] of Object.entries(opportunities)) if (sums[currency] !== undefined) weeks.add(week);
    for (const [week, sums] of Object.entries(referrals)) if (sums[currency] !== undefined) weeks.add(week);
    if (weeks.size === 0) continue;
    out.push({
      currency,
      weeks: [...weeks].sort().map((week) => ({
        week,
        opportunities: amountNumber(opportunities[week]?.[currency]),
        referrals: amountNumber(referrals[week]?.[currency]),
        opportunitiesAmount: opportunities[week]?.[currency],
        referralsAmount: referrals[week]?.[currency],
      })),
    });
  }
  return out;
}

export interface GroupAmount {
  group: string;
  currency: string;
  amount: string;
}

/** A per-group, per-currency table's rows: by group, then currency. */
export function groupAmounts(groups: PerGroupPerCurrency): GroupAmount[] {
  return Object.entries(groups)
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([group, sums]) =>
      Object.entries(sums)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([currency, amount]) => ({ group, currency, amount })),
    );
}

/** One label's figures on staff's corrections; precision and recall are null when undefined. */
export interface LabelMeasure {
  label: Label;
  predicted: number;
  actual: number;
  right: number;
  precision: number | null;
  recall: number | null;
}

type Tally = Pick<CorrectionsReport, "labels">;

/** Every label, in the inbox's order, whether the API listed it or not (zeros, nulls). */
export function labelMeasures(tally: Tally): LabelMeasure[] {
  return LABELS.map((label) => {
    const found = tally.labels.find((row) => row.label === label);
    return {
      label,
      predicted: found?.predicted ?? 0,
      actual: found?.actual ?? 0,
      right: found?.right ?? 0,
      precision: found?.precision ?? null,
      recall: found?.recall ?? null,
    };
  });
}

export interface WeekMeasure {
  week: string;
  corrections: number;
  confirmations: number;
  precision: number | null;
  recall: number | null;
}

/** One label's precision and recall per week, oldest first (as the API orders them). */
export function weeklyMeasures(report: CorrectionsReport, label: Label): WeekMeasure[] {
  return report.weeks.map((week) => {
    const found = week.labels.find((row) => row.label === label);
    return {
      week: week.week,
      corrections: week.corrections,
      confirmations: week.confirmations,
      precision: found?.precision ?? null,
      recall: found?.recall ?? null,
    };
  });
}

/** The kinds of correction counted (`by_kind`), in a stable order, without the zeros. */
export function correctionKinds(byKind: Record<string, number>): { kind: string; count: number }[] {
  const order = ["relabel", "moderation", "case", "opportunity", "question"];
  return Object.entries(byKind)
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => {
      const ia = order.indexOf(a);
      const ib = order.indexOf(b);
      return (ia < 0 ? order.length : ia) - (ib < 0 ? order.length : ib) || a.localeCompare(b);
    })
    .map(([kind, count]) => ({ kind, count }));
}
