// What a contribution's label came from and how staff corrected it, read from the records
// that carry it: a held contribution (`ContributionItem`) or a contact's timeline entry
// (a contributions table item, loosely typed). Who may relabel (POST
// /admin/contributions/{id}/label: "Groups: liaison-admin, liaison-support, liaison-sales").

import type { components } from "../api/schema";
import type { Group } from "../auth/session";
import { LABELS, type Label } from "./filters";

export type LabelSource = components["schemas"]["LabelSource"];
export type Correction = components["schemas"]["Correction"];
export type CorrectionHow = Correction["how"];

export const LABEL_SOURCES: readonly LabelSource[] = ["rule", "builtin", "learned", "hosted", "staff"];
const HOWS: readonly CorrectionHow[] = ["relabel", "moderation", "case", "opportunity", "question"];

/** POST /admin/contributions/{id}/label. */
export const RELABEL_GROUPS: readonly Group[] = ["liaison-admin", "liaison-support", "liaison-sales"];

/** A contribution's label, what decided it, and staff's correction, each when known. */
export interface LabelFacts {
  label?: Label;
  source?: LabelSource;
  correction?: Correction;
}

function oneOf<T extends string>(values: readonly T[], value: unknown): T | undefined {
  return values.find((candidate) => candidate === value);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A correction as the API sends it, or undefined when it is not one. */
export function correctionOf(value: unknown): Correction | undefined {
  const c = record(value);
  if (c === undefined) return undefined;
  const label = oneOf(LABELS, c.label);
  const was = oneOf(LABELS, c.was);
  const how = oneOf(HOWS, c.how);
  if (label === undefined || was === undefined || how === undefined || typeof c.at !== "string") return undefined;
  return {
    label,
    was,
    was_source: oneOf(LABEL_SOURCES, c.was_source) ?? "builtin",
    how,
    by: typeof c.by === "string" ? c.by : "",
    at: c.at,
  };
}

/** The facts of a contributions table item (`classification`, `correction`), however typed. */
export function labelFactsOf(item: unknown): LabelFacts {
  const facts: LabelFacts = {};
  const it = record(item);
  const classification = record(it?.classification);
  const label = oneOf(LABELS, classification?.label);
  // A record from before the source was kept was decided by the built-in classifier.
  const source = oneOf(LABEL_SOURCES, classification?.source) ?? (label !== undefined ? "builtin" : undefined);
  const correction = correctionOf(it?.correction);
  if (label !== undefined) facts.label = label;
  if (source !== undefined) facts.source = source;
  if (correction !== undefined) facts.correction = correction;
  return facts;
}

/** The label staff say it is, else Liaison's. */
export function currentLabel(facts: LabelFacts): Label | undefined {
  return facts.correction?.label ?? facts.label;
}
