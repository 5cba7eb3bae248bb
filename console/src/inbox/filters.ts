// The inbox's filters (source, platform, label, tag, assignee), shared by every tab and kept
// in the URL's search params beside `tab`, under the API's own names: a filtered inbox can
// be bookmarked and shared, and the back button undoes a filter. GET /admin/cases,
// /admin/questions and /admin/opportunities take all five; GET /admin/moderation refuses
// `assignee` (held contributions have none), so it is never sent there.

import type { InboxTab } from "../access";
import type { components } from "../api/schema";
import { PLATFORMS, type Platform } from "../lib/platforms";

export type Label = components["schemas"]["Label"];

/** Every label, in the order the filter offers them. */
export const LABELS: readonly Label[] = ["incident", "purchase_intent", "question", "praise", "spam", "other"];

/** `?assignee=none`: the items nobody is assigned to. */
export const UNASSIGNED = "none";

/** The API's limit on a filter's value (after trimming). */
export const MAX_FILTER_LENGTH = 200;

export const FILTER_NAMES = ["source", "platform", "label", "tag", "assignee"] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

/** The filters in force; an absent one keeps everything. */
export interface InboxFilters {
  source?: string;
  platform?: Platform;
  label?: Label;
  tag?: string;
  assignee?: string;
}

/** What a change asks: a value sets a filter, `undefined` or "" removes it. */
export type FilterChanges = Partial<Record<FilterName, string | undefined>>;

function text(value: string | null): string | undefined {
  const trimmed = value?.trim() ?? "";
  return trimmed === "" ? undefined : trimmed;
}

function oneOf<T extends string>(values: readonly T[], value: string | undefined): T | undefined {
  return values.find((candidate) => candidate === value);
}

/** The filters a URL holds; an unknown platform or label is ignored (never sent). */
export function readFilters(params: URLSearchParams): InboxFilters {
  const filters: InboxFilters = {};
  const source = text(params.get("source"));
  const platform = oneOf(PLATFORMS, text(params.get("platform")));
  const label = oneOf(LABELS, text(params.get("label")));
  const tag = text(params.get("tag"));
  const assignee = text(params.get("assignee"));
  if (source !== undefined) filters.source = source;
  if (platform !== undefined) filters.platform = platform;
  if (label !== undefined) filters.label = label;
  if (tag !== undefined) filters.tag = tag;
  if (assignee !== undefined) filters.assignee = assignee;
  return filters;
}

/** `params` with `changes` made, everything else (`tab` first) kept as it was. */
export function withFilters(params: URLSearchParams, changes: FilterChanges): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const name of FILTER_NAMES) {
    if (!(name in changes)) continue;
    const value = text(changes[name] ?? null);
    if (value === undefined) next.delete(name);
    else next.set(name, value);
  }
  return next;
}

/** `params` without any filter (`tab` and the rest kept). */
export function withoutFilters(params: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const name of FILTER_NAMES) next.delete(name);
  return next;
}

/** The filters a tab's list is asked for: held contributions have no assignee. */
export function filtersFor(tab: InboxTab, filters: InboxFilters): InboxFilters {
  if (tab !== "moderation" || filters.assignee === undefined) return filters;
  const { assignee: _ignored, ...rest } = filters;
  return rest;
}

/** Whether any filter is in force. */
export function hasFilters(filters: InboxFilters): boolean {
  return FILTER_NAMES.some((name) => filters[name] !== undefined);
}
