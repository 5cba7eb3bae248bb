// SLA countdowns and dates, in the current language (numbers and dates through Intl).

import type { TFunction } from "i18next";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How a duration reads: "2 h 10 min", "45 min", "1 d 3 h" ("1 j 3 h" in French). */
export function formatDuration(t: TFunction, milliseconds: number): string {
  const totalMinutes = Math.floor(Math.abs(milliseconds) / MINUTE);
  const days = Math.floor(totalMinutes / (DAY / MINUTE));
  const hours = Math.floor((totalMinutes % (DAY / MINUTE)) / 60);
  const minutes = totalMinutes % 60;
  if (days > 0) return hours > 0 ? t("duration.daysHours", { days, hours }) : t("duration.days", { days });
  if (hours > 0) return minutes > 0 ? t("duration.hoursMinutes", { hours, minutes }) : t("duration.hours", { hours });
  return t("duration.minutes", { minutes });
}

export type SlaState = "dueIn" | "dueNow" | "late";

export function slaState(dueAt: number, now: number): SlaState {
  const left = dueAt - now;
  if (left < 0) return "late";
  if (left < MINUTE) return "dueNow";
  return "dueIn";
}

/**
 * "due in 2 h 10 min" / "late by 5 min" ("à traiter dans 2 h 10 min" / "en retard de 5 min").
 * Minutes are whole; a case less than a minute late is already "late by 1 min".
 */
export function formatSla(t: TFunction, dueAt: number, now: number): string {
  const state = slaState(dueAt, now);
  if (state === "dueNow") return t("sla.dueNow");
  if (state === "late") {
    const late = Math.max(now - dueAt, MINUTE);
    return t("sla.late", { duration: formatDuration(t, late) });
  }
  return t("sla.dueIn", { duration: formatDuration(t, dueAt - now) });
}

/** A date and time in the language's usual way (the browser's time zone). */
export function formatDateTime(language: string, value: string | number | Date): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/** A decimal amount in its currency ("1 250,50 €", "€1,250.50"); as given when Intl cannot. */
export function formatAmount(language: string, amount: string, currency: string | undefined): string {
  const value = Number(amount);
  if (currency === undefined || currency === "" || !Number.isFinite(value)) {
    return currency ? `${amount} ${currency}` : amount;
  }
  try {
    return new Intl.NumberFormat(language, { style: "currency", currency }).format(value);
  } catch {
    return `${amount} ${currency}`;
  }
}

export function parseTime(value: string): number {
  return new Date(value).getTime();
}
