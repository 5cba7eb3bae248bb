import { describe, expect, it } from "vitest";
import { createI18n } from "../i18n";
import { formatAmount, formatDuration, formatSla, slaState } from "./time";

const en = createI18n("en").t;
const fr = createI18n("fr").t;
const NOW = Date.parse("2026-03-02T10:00:00Z");
const MIN = 60_000;

describe("the SLA countdown", () => {
  it("reads in English", () => {
    expect(formatSla(en, NOW + 130 * MIN, NOW)).toBe("due in 2 h 10 min");
    expect(formatSla(en, NOW + 130 * MIN + 59_000, NOW)).toBe("due in 2 h 10 min");
    expect(formatSla(en, NOW + 45 * MIN, NOW)).toBe("due in 45 min");
    expect(formatSla(en, NOW + 120 * MIN, NOW)).toBe("due in 2 h");
    expect(formatSla(en, NOW + 30_000, NOW)).toBe("due in under a minute");
    expect(formatSla(en, NOW - 5 * MIN, NOW)).toBe("late by 5 min");
    expect(formatSla(en, NOW - 10_000, NOW)).toBe("late by 1 min");
    expect(formatSla(en, NOW - (26 * 60 + 5) * MIN, NOW)).toBe("late by 1 d 2 h");
    expect(formatSla(en, NOW + 48 * 60 * MIN, NOW)).toBe("due in 2 d");
  });

  it("reads in French", () => {
    expect(formatSla(fr, NOW + 130 * MIN, NOW)).toBe("à traiter dans 2 h 10 min");
    expect(formatSla(fr, NOW + 45 * MIN, NOW)).toBe("à traiter dans 45 min");
    expect(formatSla(fr, NOW + 30_000, NOW)).toBe("à traiter dans moins d’une minute");
    expect(formatSla(fr, NOW - 5 * MIN, NOW)).toBe("en retard de 5 min");
    expect(formatSla(fr, NOW - (26 * 60 + 5) * MIN, NOW)).toBe("en retard de 1 j 2 h");
  });

  it("formats numbers with Intl in the language", () => {
    // 1,234 days: a grouping separator, the language's own.
    expect(formatDuration(en, 1234 * 24 * 60 * MIN)).toBe("1,234 d");
    expect(formatDuration(fr, 1234 * 24 * 60 * MIN)).toBe(`${new Intl.NumberFormat("fr").format(1234)} j`);
  });

  it("says which state a due time is in (for its colour)", () => {
    expect(slaState(NOW + MIN, NOW)).toBe("dueIn");
    expect(slaState(NOW + 59_000, NOW)).toBe("dueNow");
    expect(slaState(NOW - 1, NOW)).toBe("late");
  });
});

describe("amounts", () => {
  it("are written in their currency, in the language", () => {
    expect(formatAmount("en", "1250.50", "EUR")).toBe("€1,250.50");
    expect(formatAmount("fr", "1250.50", "EUR")).toBe(new Intl.NumberFormat("fr", { style: "currency", currency: "EUR" }).format(1250.5));
    expect(formatAmount("en", "10", "NOT-A-CODE")).toBe("10 NOT-A-CODE");
    expect(formatAmount("en", "10", undefined)).toBe("10");
  });
});
