import { describe, expect, it } from "vitest";
import type { CorrectionsReport, CountReport, ResponseTimes, RevenueReport } from "./queries";
import {
  correctionKinds,
  countRows,
  currenciesOf,
  daysOf,
  defaultRange,
  groupAmounts,
  isDay,
  labelMeasures,
  rangeFrom,
  rangeProblem,
  responseRows,
  revenueTotals,
  slaFigures,
  weeklyMeasures,
  weeklyRevenue,
} from "./reports";

describe("the reports' dates", () => {
  it("default to the last 30 days, today included, in UTC", () => {
    expect(defaultRange(Date.parse("2026-12-07T09:00:00Z"))).toEqual({ from: "2026-11-08", to: "2026-12-07" });
    // Just before midnight UTC, still the same UTC day whatever the browser's zone.
    expect(defaultRange(Date.parse("2026-03-01T23:59:00Z"))).toEqual({ from: "2026-01-31", to: "2026-03-01" });
    expect(daysOf(defaultRange(Date.parse("2026-12-07T09:00:00Z")))).toHaveLength(30);
  });

  it("are days, the last not before the first", () => {
    expect(isDay("2026-02-28")).toBe(true);
    expect(isDay("2026-02-30")).toBe(false);
    expect(isDay("2026-2-3")).toBe(false);
    expect(rangeProblem({ from: "2026-12-01", to: "2026-12-01" })).toBeNull();
    expect(rangeProblem({ from: "", to: "2026-12-01" })).toBe("fromInvalid");
    expect(rangeProblem({ from: "2026-12-01", to: "nope" })).toBe("toInvalid");
    expect(rangeProblem({ from: "2026-12-02", to: "2026-12-01" })).toBe("order");
  });

  it("come from the URL when they make a range, else the default", () => {
    const now = Date.parse("2026-12-07T09:00:00Z");
    expect(rangeFrom(new URLSearchParams("from=2026-01-01&to=2026-01-31"), now)).toEqual({ from: "2026-01-01", to: "2026-01-31" });
    expect(rangeFrom(new URLSearchParams("from=2026-02-01&to=2026-01-31"), now)).toEqual(defaultRange(now));
    expect(rangeFrom(new URLSearchParams(""), now)).toEqual(defaultRange(now));
  });
});

describe("count reports", () => {
  it("keep the API's groups, largest first, for a platform or a label", () => {
    const report: CountReport = {
      by: "platform",
      from: "2026-12-01",
      to: "2026-12-07",
      total: 5,
      groups: [
        { key: "youtube", count: 3 },
        { key: "x", count: 2 },
      ],
    };
    expect(countRows(report)).toEqual([
      { key: "youtube", count: 3 },
      { key: "x", count: 2 },
    ]);
  });

  it("give every day of the range by day, a quiet day as 0", () => {
    const report: CountReport = {
      by: "day",
      from: "2026-02-27",
      to: "2026-03-02",
      total: 4,
      groups: [
        { key: "2026-02-28", count: 3 },
        { key: "2026-03-02", count: 1 },
      ],
    };
    expect(countRows(report)).toEqual([
      { key: "2026-02-27", count: 0 },
      { key: "2026-02-28", count: 3 },
      { key: "2026-03-01", count: 0 },
      { key: "2026-03-02", count: 1 },
    ]);
  });
});

describe("response times", () => {
  it("are the first answer's and the close's spread", () => {
    expect(
      responseRows({
        cases: 4,
        first_answer: { count: 3, median_minutes: 30, p90_minutes: 60 },
        close: { count: 1, median_minutes: 120, p90_minutes: 120 },
        sla: { within: 1, past: 0, running: 3 },
        sla_by_priority: { P2: { within: 1, past: 0, running: 3 } },
        from: "2026-12-01",
        to: "2026-12-07",
      }),
    ).toEqual([
      { measure: "firstAnswer", count: 3, median: 30, p90: 60 },
      { measure: "close", count: 1, median: 120, p90: 120 },
    ]);
  });
});

function responseTimes(overrides: Partial<ResponseTimes> = {}): ResponseTimes {
  return {
    cases: 12,
    first_answer: { count: 9, median_minutes: 30, p90_minutes: 60 },
    close: { count: 7, median_minutes: 120, p90_minutes: 300 },
    sla: { within: 6, past: 3, running: 2 },
    sla_by_priority: {
      P3: { within: 4, past: 1, running: 1 },
      P1: { within: 1, past: 2, running: 0 },
      unknown: { within: 0, past: 0, running: 1 },
      P2: { within: 1, past: 0, running: 0 },
    },
    from: "2026-12-01",
    to: "2026-12-07",
    ...overrides,
  };
}

describe("cases within and past their SLA", () => {
  it("give P1 to P3 in order, a priority without cases as zeros, then the others", () => {
    const { rows } = slaFigures(responseTimes());
    expect(rows).toEqual([
      { priority: "P1", within: 1, past: 2, running: 0, total: 3 },
      { priority: "P2", within: 1, past: 0, running: 0, total: 1 },
      { priority: "P3", within: 4, past: 1, running: 1, total: 6 },
      { priority: "unknown", within: 0, past: 0, running: 1, total: 1 },
    ]);
  });

  it("total as the API counts, with the share in time of the settled cases and those without a due time", () => {
    const figures = slaFigures(responseTimes());
    expect(figures.totals).toEqual({ priority: "", within: 6, past: 3, running: 2, total: 11 });
    // 6 in time out of 9 settled: the running ones are not settled yet.
    expect(figures.withinShare).toBeCloseTo(6 / 9);
    // 12 cases opened, 11 against an SLA: one had no due time.
    expect(figures.withoutSla).toBe(1);
  });

  it("are zeros, without a share, when no case has an SLA (or an older API leaves them out)", () => {
    const none = slaFigures(responseTimes({ cases: 0, sla: { within: 0, past: 0, running: 0 }, sla_by_priority: {} }));
    expect(none.totals.total).toBe(0);
    expect(none.withinShare).toBeNull();
    expect(none.withoutSla).toBe(0);
    expect(none.rows.map((r) => [r.priority, r.total])).toEqual([
      ["P1", 0],
      ["P2", 0],
      ["P3", 0],
    ]);
    const { sla: _sla, sla_by_priority: _byPriority, ...older } = responseTimes({ cases: 3 });
    const fromOlder = slaFigures(older as ResponseTimes);
    expect(fromOlder.totals.total).toBe(0);
    expect(fromOlder.withoutSla).toBe(3);
    // Only running cases: nothing settled, no share.
    expect(slaFigures(responseTimes({ sla: { within: 0, past: 0, running: 4 } })).withinShare).toBeNull();
  });
});

function revenue(overrides: Partial<RevenueReport> = {}): RevenueReport {
  return {
    from: "2026-11-01",
    to: "2026-12-07",
    opportunities: {
      won: 3,
      won_without_amount: 1,
      revenue: { EUR: "1500.50", USD: "200" },
      by_week: { "2026-W48": { EUR: "1000" }, "2026-W49": { EUR: "500.50", USD: "200" } },
      by_platform: { x: { EUR: "1500.50" }, meta: { USD: "200" } },
      by_source: {},
    },
    relaunch: { campaigns: 1, revenue: { GBP: "80" }, orders: "2", emails_sent: "40", since: "each campaign's start" },
    referrals: { orders: 1, flagged: 0, revenue: { EUR: "99.90" }, rewards: { EUR: "10" }, by_week: { "2026-W49": { EUR: "99.90" } } },
    cost: {
      answers_published: 7,
      cases: {
        cases: 0,
        first_answer: { count: 0, median_minutes: null, p90_minutes: null },
        close: { count: 0, median_minutes: null, p90_minutes: null },
        sla: { within: 0, past: 0, running: 0 },
        sla_by_priority: {},
        from: "2026-11-01",
        to: "2026-12-07",
      },
    },
    currencies_never_added: true,
    ...overrides,
  };
}

describe("revenue", () => {
  it("names every currency once", () => {
    expect(currenciesOf(revenue())).toEqual(["EUR", "GBP", "USD"]);
  });

  it("totals each currency apart, never adding one to another", () => {
    expect(revenueTotals(revenue())).toEqual([
      { currency: "EUR", opportunities: "1500.50", relaunch: undefined, referrals: "99.90", rewards: "10" },
      { currency: "GBP", opportunities: undefined, relaunch: "80", referrals: undefined, rewards: undefined },
      { currency: "USD", opportunities: "200", relaunch: undefined, referrals: undefined, rewards: undefined },
    ]);
  });

  it("charts each currency per week on its own", () => {
    expect(weeklyRevenue(revenue())).toEqual([
      {
        currency: "EUR",
        weeks: [
          { week: "2026-W48", opportunities: 1000, referrals: 0, opportunitiesAmount: "1000", referralsAmount: undefined },
          { week: "2026-W49", opportunities: 500.5, referrals: 99.9, opportunitiesAmount: "500.50", referralsAmount: "99.90" },
        ],
      },
      {
        currency: "USD",
        weeks: [{ week: "2026-W49", opportunities: 200, referrals: 0, opportunitiesAmount: "200", referralsAmount: undefined }],
      },
    ]);
  });

  it("lists per-group amounts by group, then currency", () => {
    expect(groupAmounts({ x: { USD: "1", EUR: "2" }, meta: { EUR: "3" } })).toEqual([
      { group: "meta", currency: "EUR", amount: "3" },
      { group: "x", currency: "EUR", amount: "2" },
      { group: "x", currency: "USD", amount: "1" },
    ]);
  });

  it("is empty when nothing was earned", () => {
    const empty = revenue({
      opportunities: { won: 0, won_without_amount: 0, revenue: {}, by_week: {}, by_platform: {}, by_source: {} },
      relaunch: { campaigns: 0, revenue: {}, orders: "0", emails_sent: "0", since: "" },
      referrals: { orders: 0, flagged: 0, revenue: {}, rewards: {}, by_week: {} },
    });
    expect(revenueTotals(empty)).toEqual([]);
    expect(weeklyRevenue(empty)).toEqual([]);
  });
});

describe("the classifier measured on corrections", () => {
  const row = (label: string, precision: number | null, recall: number | null) => ({ label, predicted: 2, actual: 1, right: 1, precision, recall });
  const report = {
    corrections: 2,
    confirmations: 1,
    learned_from: 3,
    limit: 2000,
    by_kind: { question: 1, relabel: 2, moderation: 0, later_kind: 1 },
    labels: [row("praise", 0.5, null)],
    weeks: [{ week: "2026-03-02", corrections: 2, confirmations: 1, labels: [row("praise", null, 1)] }],
  } as CorrectionsReport;

  it("lists every label in the inbox's order, zeros and nulls where the API listed none", () => {
    const measures = labelMeasures(report);
    expect(measures.map((m) => m.label)).toEqual(["incident", "purchase_intent", "question", "praise", "spam", "other"]);
    expect(measures[3]).toEqual({ label: "praise", predicted: 2, actual: 1, right: 1, precision: 0.5, recall: null });
    expect(measures[0]).toEqual({ label: "incident", predicted: 0, actual: 0, right: 0, precision: null, recall: null });
  });

  it("gives one label's weeks, and the kinds of correction in a stable order without zeros", () => {
    expect(weeklyMeasures(report, "praise")).toEqual([{ week: "2026-03-02", corrections: 2, confirmations: 1, precision: null, recall: 1 }]);
    expect(weeklyMeasures(report, "spam")).toEqual([{ week: "2026-03-02", corrections: 2, confirmations: 1, precision: null, recall: null }]);
    expect(correctionKinds(report.by_kind)).toEqual([
      { kind: "relabel", count: 2 },
      { kind: "question", count: 1 },
      { kind: "later_kind", count: 1 },
    ]);
  });
});
