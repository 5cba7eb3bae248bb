import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { cartIdOf } from "./realCart";
import {
  addDecimals,
  audienceCsv,
  audienceFileName,
  currenciesOf,
  decimalNumber,
  funnelRows,
  reasonRows,
  revenueByDay,
  revenueRows,
  type CampaignStats,
  type StepStats,
} from "./results";

function step(n: number, variant: string, counts: Partial<StepStats> = {}): StepStats {
  return {
    step: n,
    variant,
    sent: 0,
    delivered: 0,
    opened: 0,
    clicked: 0,
    unsubscribed: 0,
    bounced: 0,
    complained: 0,
    converted: 0,
    deferred: { cap: 0, quiet: 0, activity: 0, ses: 0 },
    skipped: { converted: 0, no_consent: 0 },
    revenue: {},
    rates: { open: null, click: null, conversion: null },
    ...counts,
  };
}

const STATS: CampaignStats = {
  campaign_id: "cmp_1",
  entered: 40,
  converted: 3,
  revenue: { EUR: "123.40", USD: "12.00" },
  by_day: [
    { day: "2026-12-01", converted: 1, revenue: { EUR: "59.90" } },
    { day: "2026-12-04", converted: 2, revenue: { EUR: "63.50", USD: "12.00" } },
  ],
  steps: [
    step(0, "A", { sent: 10, delivered: 8, opened: 4, clicked: 2, converted: 1, deferred: { cap: 0, quiet: 5, activity: 0, ses: 0 }, revenue: { EUR: "59.90" } }),
    step(1, "A", { sent: 6, delivered: 6, opened: 3, clicked: 1, skipped: { converted: 2, no_consent: 1, something_new: 1 } }),
    step(1, "B", { sent: 5, delivered: 5, opened: 1, clicked: 1, converted: 2, revenue: { EUR: "63.50", USD: "12.00" }, skipped: { converted: 0, no_consent: 3 } }),
  ],
};

describe("the results, shaped", () => {
  it("make a funnel for the campaign, then each step and variant", () => {
    const rows = funnelRows(STATS);
    expect(rows.map((r) => [r.key, r.step, r.variant, r.split])).toEqual([
      ["all", null, null, false],
      ["step-0-A", 0, "A", false],
      ["step-1-A", 1, "A", true],
      ["step-1-B", 1, "B", true],
    ]);
    expect(rows[0]).toMatchObject({ entered: 40, sent: 21, delivered: 19, opened: 8, clicked: 4, converted: 3 });
    expect(rows[3]).toMatchObject({ entered: null, sent: 5, delivered: 5, opened: 1, clicked: 1, converted: 2 });
  });

  it("keep revenue per currency, never added across currencies", () => {
    expect(currenciesOf(STATS)).toEqual(["EUR", "USD"]);
    const rows = revenueRows(STATS);
    expect(rows.map((r) => r.amounts)).toEqual([
      { EUR: "123.40", USD: "12.00" },
      { EUR: "59.90", USD: "0" },
      { EUR: "0", USD: "0" },
      { EUR: "63.50", USD: "12.00" },
    ]);
    expect(currenciesOf({ ...STATS, revenue: {}, steps: [step(0, "A")] })).toEqual([]);
  });

  it("list deferrals and skips by reason, only those that counted, most first", () => {
    const deferred = reasonRows(STATS, "deferred");
    expect(deferred.rows).toEqual([{ reason: "quiet", counts: { "step-0-A": 5, "step-1-A": 0, "step-1-B": 0 }, total: 5 }]);
    const skipped = reasonRows(STATS, "skipped");
    expect(skipped.rows.map((r) => [r.reason, r.total])).toEqual([
      ["no_consent", 4],
      ["converted", 2],
      ["something_new", 1],
    ]);
    expect(skipped.groups.map((g) => g.key)).toEqual(["step-0-A", "step-1-A", "step-1-B"]);
  });
});

describe("recovered revenue per day", () => {
  it("fills the days between the first and the last with zeros, one series per currency", () => {
    const { currencies, points, rows } = revenueByDay(STATS);
    expect(currencies).toEqual(["EUR", "USD"]);
    expect(points).toEqual([
      { day: "2026-12-01", converted: 1, values: { EUR: 59.9, USD: 0 } },
      { day: "2026-12-02", converted: 0, values: { EUR: 0, USD: 0 } },
      { day: "2026-12-03", converted: 0, values: { EUR: 0, USD: 0 } },
      { day: "2026-12-04", converted: 2, values: { EUR: 63.5, USD: 12 } },
    ]);
    // The table keeps the API's days and its decimals as they are.
    expect(rows).toEqual([
      { day: "2026-12-01", converted: 1, amounts: { EUR: "59.90" } },
      { day: "2026-12-04", converted: 2, amounts: { EUR: "63.50", USD: "12.00" } },
    ]);
  });

  it("totals each currency apart, exactly, across months and a leap day", () => {
    const stats: CampaignStats = {
      ...STATS,
      by_day: [
        // Out of order, and a day given twice: sorted, and added.
        { day: "2028-03-01", converted: 1, revenue: { EUR: "0.20" } },
        { day: "2028-02-28", converted: 1, revenue: { EUR: "0.10", JPY: "1500" } },
        { day: "2028-03-01", converted: 1, revenue: { EUR: "0.1" } },
      ],
    };
    const byDay = revenueByDay(stats);
    expect(byDay.points.map((p) => p.day)).toEqual(["2028-02-28", "2028-02-29", "2028-03-01"]);
    expect(byDay.rows.at(-1)).toEqual({ day: "2028-03-01", converted: 2, amounts: { EUR: "0.30" } });
    // 0.10 + 0.20 + 0.1 is 0.40, not 0.4000000000000001; yen are never added to euros.
    expect(byDay.totals).toEqual({ EUR: "0.40", JPY: "1500" });
    expect(byDay.converted).toBe(3);
    expect(byDay.points[2]?.values).toEqual({ EUR: 0.3, JPY: 0 });
  });

  it("is empty without conversions, and skips what is not a day", () => {
    expect(revenueByDay({ ...STATS, by_day: [] })).toEqual({ currencies: [], rows: [], points: [], converted: 0, totals: {} });
    expect(revenueByDay({ ...STATS, by_day: [{ day: "yesterday", converted: 1, revenue: { EUR: "1" } }] }).points).toEqual([]);
  });

  it("reads amounts as decimals, and nothing else", () => {
    expect(decimalNumber("123.40")).toBe(123.4);
    expect(decimalNumber(" 7 ")).toBe(7);
    expect(decimalNumber("-2.5")).toBe(-2.5);
    for (const bad of ["", "1,5", "1e3", "0x10", "NaN", "12.", undefined]) expect(decimalNumber(bad)).toBeNull();
    expect(addDecimals("0.10", "0.2")).toBe("0.30");
    expect(addDecimals("99999999999999999.99", "0.01")).toBe("100000000000000000.00");
    expect(addDecimals("1.50", "-2")).toBe("-0.50");
    expect(addDecimals("12", "30")).toBe("42");
    expect(addDecimals("1,5", "1")).toBeNull();
    // An amount that is no decimal counts as 0 on the chart, and stays as given in the table.
    const odd = revenueByDay({ ...STATS, by_day: [{ day: "2026-12-01", converted: 1, revenue: { EUR: "n/a" } }] });
    expect(odd.points[0]?.values).toEqual({ EUR: 0 });
    expect(odd.rows[0]?.amounts).toEqual({ EUR: "n/a" });
  });
});

describe("the audience file", () => {
  it("is the API's own CSV: a header, one hash a line", () => {
    const hash = "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b";
    expect(audienceCsv([hash, "0".repeat(64)])).toBe(`email_sha256\n${hash}\n${"0".repeat(64)}\n`);
    expect(audienceCsv([])).toBe("email_sha256\n");
    expect(audienceFileName("cmp_abc")).toBe("audience-cmp_abc.csv");
    expect(audienceFileName("cmp/../x")).toBe("audience-cmp_x.csv");
  });
});

describe("a real cart's id", () => {
  it("is derived as the API derives it (crt_ and 16 bytes of SHA-256 of source, 0, cart)", async () => {
    // Checked against the local stack: this cart's preview rendered.
    expect(await cartIdOf("src_pefjqq53dkl6bxxx3k3eb47wje", "cart_BBmCWURr")).toBe("crt_8ea935b708281aa5fdb8ea706877041d");
    const expected = `crt_${createHash("sha256").update("src_1").update(Buffer.from([0])).update("é-42").digest("hex").slice(0, 32)}`;
    expect(await cartIdOf(" src_1 ", " é-42 ")).toBe(expected);
  });

  it("takes a crt_ id as it is, and waits for both parts otherwise", async () => {
    expect(await cartIdOf("", "CRT_8EA935B708281AA5FDB8EA706877041D")).toBe("crt_8ea935b708281aa5fdb8ea706877041d");
    expect(await cartIdOf("", "cart_1")).toBeNull();
    expect(await cartIdOf("src_1", "")).toBeNull();
  });
});
