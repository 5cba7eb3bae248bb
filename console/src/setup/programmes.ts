// The brand's programme lists (GET/PUT /admin/programmes, administrators and marketers): the
// calls, and the form as typed (one entry per line) made into the API's lists. Testers come
// back from the API as keyed hashes only: the form keeps those it does not remove, adds new
// ones in clear (hashed by the API before anything is stored) and removes by address.

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { dataOf } from "../api/client";
import type { components } from "../api/schema";
import { useApi } from "../app/context";

export type Programmes = components["schemas"]["Programmes"];
export type ProgrammesInput = components["schemas"]["ProgrammesInput"];

/** The lists of domains and ids, as the form and the API name them. */
export const LISTS = [
  "partner_domains",
  "reseller_domains",
  "affiliate_domains",
  "affiliate_ids",
  "media_domains",
  "association_domains",
] as const;
export type ListName = (typeof LISTS)[number];

/** The form's fields an API refusal may land on. */
export const PROGRAMME_FIELDS = [...LISTS, "add_testers", "remove_testers"] as const;
/** A refused tester is one being added: the stored ones were the API's own. */
export const PROGRAMME_ALIASES = { testers: "add_testers" } as const;

export interface ProgrammesForm {
  lists: Record<ListName, string>;
  /** The stored testers' hashes kept. */
  kept: string[];
  /** New testers, one email or platform:handle a line. */
  add: string;
  /** Testers to take off, by email or platform:handle. */
  remove: string;
}

const keys = { programmes: ["programmes"] as const };

export function useProgrammes() {
  const api = useApi();
  return useQuery({
    queryKey: keys.programmes,
    queryFn: async ({ signal }) => dataOf(await api.GET("/admin/programmes", { signal })),
  });
}

export function useSaveProgrammes() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: ProgrammesInput) => dataOf(await api.PUT("/admin/programmes", { body })),
    onSuccess: (saved) => queryClient.setQueryData(keys.programmes, saved),
  });
}

/** The entries of a text area: one a line (or comma-separated), trimmed, blanks and repeats dropped. */
export function entries(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of text.split(/[\n,;]/)) {
    const entry = raw.trim();
    const folded = entry.toLowerCase();
    if (entry === "" || seen.has(folded)) continue;
    seen.add(folded);
    out.push(entry);
  }
  return out;
}

/** Why an entry of a domain list would be refused, before asking the API; null when it looks right. */
export function domainProblem(entry: string): "scheme" | "path" | "shape" | null {
  const value = entry.trim();
  if (value.includes("://")) return "scheme";
  if (/[/@:?#\\\s]/.test(value)) return "path";
  if (!/^[^.]+(\.[^.]+)+\.?$/.test(value)) return "shape";
  return null;
}

/** The first entry of a domain list that would be refused, with why. */
export function firstDomainProblem(form: ProgrammesForm): { field: ListName; entry: string; problem: "scheme" | "path" | "shape" } | null {
  for (const field of LISTS) {
    if (field === "affiliate_ids") continue;
    for (const entry of entries(form.lists[field])) {
      const problem = domainProblem(entry);
      if (problem !== null) return { field, entry, problem };
    }
  }
  return null;
}

/** The form as the stored lists fill it. */
export function programmesForm(stored: Programmes): ProgrammesForm {
  const lists = Object.fromEntries(LISTS.map((name) => [name, stored[name].join("\n")])) as Record<ListName, string>;
  return { lists, kept: [...stored.testers], add: "", remove: "" };
}

/** What `PUT /admin/programmes` takes from the form. */
export function programmesBody(form: ProgrammesForm): ProgrammesInput {
  const lists = Object.fromEntries(LISTS.map((name) => [name, entries(form.lists[name])])) as Record<ListName, string[]>;
  return {
    ...lists,
    testers: [...form.kept, ...entries(form.add)],
    remove_testers: entries(form.remove),
  };
}

/** A stored tester as staff may tell them apart: its kind and the start of its hash. */
export function testerLabel(hash: string): { kind: "email" | "handle" | "other"; short: string } {
  const [kind = "", digest = ""] = hash.split("#", 2);
  return { kind: kind === "email" || kind === "handle" ? kind : "other", short: digest.slice(0, 8) };
}
