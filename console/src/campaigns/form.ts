// The campaign form's state, and its way to and from the API's CampaignSpec
// (docs/openapi.yaml, shared/src/relaunch/campaigns/mod.rs): what a marketer types, as
// strings, becomes the JSON the API checks; a stored campaign becomes the form again.

import type { components } from "../api/schema";
import type { Language } from "../i18n";
import { defaultContent } from "./defaults";

export type Campaign = components["schemas"]["Campaign"];
export type CampaignSpec = components["schemas"]["CampaignSpec"];
export type CampaignStepSpec = components["schemas"]["CampaignStepSpec"];
export type CampaignStatus = components["schemas"]["CampaignStatus"];
export type Consent = CampaignSpec["consent"];

export const MAX_STEPS = 5;
export const UNITS = ["minutes", "hours", "days"] as const;
export type DelayUnit = (typeof UNITS)[number];
const MINUTES_IN: Record<DelayUnit, number> = { minutes: 1, hours: 60, days: 1440 };

/** A duration as typed: a number and its unit. */
export interface Duration {
  value: string;
  unit: DelayUnit;
}

export interface ContentForm {
  subject: string;
  html: string;
  text: string;
}

export interface StepForm {
  /** A stable key for React and focus (never sent). */
  key: string;
  delay: Duration;
  content: ContentForm;
  incentiveCode: string;
  /** Whether the step is an A/B test; variant B's content is kept while it is off. */
  abTest: boolean;
  variantB: ContentForm & { percent: string };
}

export interface CampaignForm {
  name: string;
  priority: string;
  /** `datetime-local` values, in the browser's time zone. */
  startsAt: string;
  endsAt: string;
  abandonedAfter: Duration;
  minValue: string;
  /** ISO 4217 codes and source ids, separated by commas or spaces. */
  currencies: string;
  sources: string;
  steps: StepForm[];
  sendWindow: { enabled: boolean; start: string; end: string; timeZone: string };
  consent: Consent;
  attributionDays: string;
  utm: { enabled: boolean; source: string; medium: string; campaign: string };
}

let nextKey = 0;
export function stepKey(): string {
  nextKey += 1;
  return `step-${nextKey}`;
}

/** Minutes as the largest unit that divides them ("1440" → 1 day). */
export function durationOf(minutes: number): Duration {
  if (minutes > 0 && minutes % MINUTES_IN.days === 0) return { value: String(minutes / MINUTES_IN.days), unit: "days" };
  if (minutes > 0 && minutes % MINUTES_IN.hours === 0) return { value: String(minutes / MINUTES_IN.hours), unit: "hours" };
  return { value: String(minutes), unit: "minutes" };
}

/** Whole minutes, or NaN when the number is missing or does not make whole minutes. */
export function minutesOf(duration: Duration): number {
  const text = duration.value.trim().replace(",", ".");
  if (text === "") return Number.NaN;
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) return Number.NaN;
  const minutes = Number(text) * MINUTES_IN[duration.unit];
  const whole = Math.round(minutes);
  return Number.isFinite(minutes) && Math.abs(minutes - whole) < 1e-6 ? whole : Number.NaN;
}

/** A whole number typed in a field, or NaN. */
export function wholeNumber(value: string): number {
  const text = value.trim();
  return /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
}

/** "EUR, usd  GBP" → ["EUR", "USD", "GBP"]; the same list without repeats. */
export function listOf(value: string, upperCase = false): string[] {
  const items = value
    .split(/[\s,;]+/)
    .map((item) => item.trim())
    .filter((item) => item !== "")
    .map((item) => (upperCase ? item.toUpperCase() : item));
  return [...new Set(items)];
}

/** The local date and time of an instant, as a `datetime-local` input takes it. */
export function localInput(value: string | number | Date): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A `datetime-local` value (the browser's time zone) as an RFC 3339 instant, or null. */
export function instantOf(local: string): string | null {
  if (local.trim() === "") return null;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The browser's IANA time zone (`Europe/Paris`), UTC when it cannot tell. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** A campaign name as a UTM value: "Paniers abandonnés, France" → "paniers-abandonnes-france". */
export function slug(name: string): string {
  return name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 100);
}

export function emptyVariantB(content: ContentForm): StepForm["variantB"] {
  return { percent: "50", ...content };
}

/** A new step: a day after the one before, with a reminder to adapt. */
export function newStep(language: Language, previous: StepForm | undefined, index: number): StepForm {
  const previousMinutes = previous === undefined ? Number.NaN : minutesOf(previous.delay);
  const delay = Number.isNaN(previousMinutes) ? (index === 0 ? 0 : 1440 * index) : previousMinutes + 1440;
  const content = defaultContent(language, index);
  return {
    key: stepKey(),
    delay: durationOf(delay),
    content,
    incentiveCode: "",
    abTest: false,
    variantB: emptyVariantB(content),
  };
}

/** What a new campaign starts with: sensible values a marketer changes. */
export function newCampaignForm(language: Language, now: Date = new Date()): CampaignForm {
  return {
    name: "",
    priority: "0",
    startsAt: localInput(Math.floor(now.getTime() / 60_000) * 60_000),
    endsAt: "",
    abandonedAfter: { value: "1", unit: "hours" },
    minValue: "",
    currencies: "",
    sources: "",
    steps: [newStep(language, undefined, 0)],
    sendWindow: { enabled: true, start: "09:00", end: "20:00", timeZone: browserTimeZone() },
    consent: "required",
    attributionDays: "5",
    utm: { enabled: true, source: "liaison", medium: "email", campaign: "" },
  };
}

/** A stored campaign as the form shows it. */
export function formOf(campaign: Campaign): CampaignForm {
  return {
    name: campaign.name,
    priority: String(campaign.priority),
    startsAt: localInput(campaign.schedule.starts_at),
    endsAt: campaign.schedule.ends_at !== undefined ? localInput(campaign.schedule.ends_at) : "",
    abandonedAfter: durationOf(campaign.entry.abandoned_after_minutes),
    minValue: campaign.entry.min_value ?? "",
    currencies: (campaign.entry.currencies ?? []).join(", "),
    sources: (campaign.entry.sources ?? []).join(", "),
    steps: campaign.steps.map((step) => {
      const content = { subject: step.subject, html: step.html, text: step.text };
      return {
        key: stepKey(),
        delay: durationOf(step.delay_minutes),
        content,
        incentiveCode: step.incentive_code ?? "",
        abTest: step.variant_b !== undefined,
        variantB:
          step.variant_b !== undefined
            ? {
                percent: String(step.variant_b.percent),
                subject: step.variant_b.subject,
                html: step.variant_b.html,
                text: step.variant_b.text,
              }
            : emptyVariantB(content),
      };
    }),
    sendWindow:
      campaign.send_window !== undefined
        ? { enabled: true, start: campaign.send_window.start, end: campaign.send_window.end, timeZone: campaign.send_window.time_zone }
        : { enabled: false, start: "09:00", end: "20:00", timeZone: browserTimeZone() },
    consent: campaign.consent,
    attributionDays: String(campaign.attribution_window_days),
    utm:
      campaign.utm !== undefined
        ? { enabled: true, ...campaign.utm }
        : { enabled: false, source: "liaison", medium: "email", campaign: "" },
  };
}

/** A problem found before asking the API: the API's own field path, and what to say. */
export interface LocalProblem {
  field: string;
  problem: "wholeNumber" | "startRequired" | "dateInvalid" | "duration";
}

/** What the API could not even read (a number left empty, a date not chosen). */
export function localProblem(form: CampaignForm): LocalProblem | null {
  if (Number.isNaN(wholeNumber(form.priority))) return { field: "priority", problem: "wholeNumber" };
  if (form.startsAt.trim() === "") return { field: "schedule.starts_at", problem: "startRequired" };
  if (instantOf(form.startsAt) === null) return { field: "schedule.starts_at", problem: "dateInvalid" };
  if (form.endsAt.trim() !== "" && instantOf(form.endsAt) === null) return { field: "schedule.ends_at", problem: "dateInvalid" };
  if (Number.isNaN(minutesOf(form.abandonedAfter))) return { field: "entry.abandoned_after_minutes", problem: "duration" };
  for (const [i, step] of form.steps.entries()) {
    if (Number.isNaN(minutesOf(step.delay))) return { field: `steps[${i}].delay_minutes`, problem: "duration" };
    if (step.abTest && Number.isNaN(wholeNumber(step.variantB.percent))) {
      return { field: `steps[${i}].variant_b.percent`, problem: "wholeNumber" };
    }
  }
  if (Number.isNaN(wholeNumber(form.attributionDays))) return { field: "attribution_window_days", problem: "wholeNumber" };
  return null;
}

/**
 * The body of POST /admin/campaigns and PUT /admin/campaigns/{id}. Optional parts the
 * marketer left empty or turned off are left out (the API's defaults apply); numbers a
 * field could not read are NaN, which `localProblem` reports first.
 */
export function specOf(form: CampaignForm): CampaignSpec {
  const endsAt = instantOf(form.endsAt);
  const minValue = form.minValue.trim().replace(",", ".");
  const incentive = (step: StepForm) => step.incentiveCode.trim();
  const spec: CampaignSpec = {
    name: form.name.trim(),
    priority: wholeNumber(form.priority),
    schedule: { starts_at: instantOf(form.startsAt) ?? "", ...(endsAt !== null ? { ends_at: endsAt } : {}) },
    entry: {
      abandoned_after_minutes: minutesOf(form.abandonedAfter),
      ...(minValue !== "" ? { min_value: minValue } : {}),
      currencies: listOf(form.currencies, true),
      sources: listOf(form.sources),
    },
    steps: form.steps.map((step) => ({
      delay_minutes: minutesOf(step.delay),
      subject: step.content.subject,
      html: step.content.html,
      text: step.content.text,
      ...(incentive(step) !== "" ? { incentive_code: incentive(step) } : {}),
      ...(step.abTest
        ? {
            variant_b: {
              percent: wholeNumber(step.variantB.percent),
              subject: step.variantB.subject,
              html: step.variantB.html,
              text: step.variantB.text,
            },
          }
        : {}),
    })),
    consent: form.consent,
    attribution_window_days: wholeNumber(form.attributionDays),
  };
  if (form.sendWindow.enabled) {
    spec.send_window = { start: form.sendWindow.start, end: form.sendWindow.end, time_zone: form.sendWindow.timeZone.trim() };
  }
  if (form.utm.enabled) {
    spec.utm = {
      source: form.utm.source.trim(),
      medium: form.utm.medium.trim(),
      campaign: form.utm.campaign.trim() !== "" ? form.utm.campaign.trim() : slug(form.name),
    };
  }
  return spec;
}

/** Which actions a campaign's status allows (functions/admin/src/campaigns.rs). */
export type CampaignAction = "schedule" | "pause" | "resume" | "end" | "duplicate";
export const ACTIONS: readonly CampaignAction[] = ["schedule", "pause", "resume", "end", "duplicate"];

export function actionsFor(status: CampaignStatus): CampaignAction[] {
  switch (status) {
    case "draft":
      return ["schedule", "duplicate"];
    case "scheduled":
    case "active":
      return ["pause", "end", "duplicate"];
    case "paused":
      return ["resume", "end", "duplicate"];
    case "ended":
      return ["duplicate"];
  }
}

/** Moves the step at `from` to `to` (both in range), the others keeping their order. */
export function moveStep<T>(steps: readonly T[], from: number, to: number): T[] {
  if (from < 0 || from >= steps.length || to < 0 || to >= steps.length) return [...steps];
  const out = [...steps];
  const [moved] = out.splice(from, 1);
  if (moved !== undefined) out.splice(to, 0, moved);
  return out;
}
