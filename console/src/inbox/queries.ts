// The inbox's lists: the first page, then more on demand (the API's `next` cursor),
// refetched every 15 seconds so that new items appear without a reload. Each list is asked
// with the filters in force (filters.ts), which are part of its query key: every filter set
// is cached on its own, and invalidating a list's prefix (`["cases"]`) reaches them all.

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, dataOf } from "../api/client";
import type { components } from "../api/schema";
import { useApi } from "../app/context";
import { filtersFor, type InboxFilters } from "./filters";

export const REFRESH_MS = 15_000;
export const PAGE_SIZE = 50;

export type Case = components["schemas"]["Case"];
export type Question = components["schemas"]["Question"];
export type Opportunity = components["schemas"]["Opportunity"];
export type Contribution = components["schemas"]["ContributionItem"];
export type ModerationDecision = components["schemas"]["ModerationDecision"];
export type WorkStatus = "open" | "closed";
export type Team = components["schemas"]["Team"];

export type Source = components["schemas"]["Source"];

/** Each list's key: its name (the prefix other screens invalidate), then what it asks. */
export const inboxKeys = {
  cases: (status: WorkStatus, filters: InboxFilters = {}) => ["cases", { status, ...filters }] as const,
  questions: (owner: Team | null, filters: InboxFilters = {}) => ["questions", { owner, ...filters }] as const,
  opportunities: (filters: InboxFilters = {}) => ["opportunities", { status: "open", ...filters }] as const,
  moderation: (filters: InboxFilters = {}) =>
    ["moderation", { decision: "hold", ...filtersFor("moderation", filters) }] as const,
  /** Under `sources`, so that the setup area's changes to the sources refresh it too. */
  sourceChoices: () => ["sources", "inboxFilter"] as const,
};

const paging = {
  initialPageParam: null as string | null,
  getNextPageParam: (last: { next?: string | null }) => last.next ?? undefined,
  refetchInterval: REFRESH_MS,
};

function page(after: string | null) {
  return after === null ? { limit: PAGE_SIZE } : { limit: PAGE_SIZE, after };
}

export function useCases(status: WorkStatus, filters: InboxFilters = {}) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: inboxKeys.cases(status, filters),
    queryFn: async ({ pageParam, signal }) =>
      dataOf(await api.GET("/admin/cases", { params: { query: { status, ...filters, ...page(pageParam) } }, signal })),
    ...paging,
    select: (data) => data.pages.flatMap((p) => p.cases),
  });
}

export function useQuestions(owner: Team | null, filters: InboxFilters = {}) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: inboxKeys.questions(owner, filters),
    queryFn: async ({ pageParam, signal }) =>
      dataOf(
        await api.GET("/admin/questions", {
          params: { query: owner === null ? { ...filters, ...page(pageParam) } : { owner, ...filters, ...page(pageParam) } },
          signal,
        }),
      ),
    ...paging,
    select: (data) => data.pages.flatMap((p) => p.questions),
  });
}

export function useOpportunities(filters: InboxFilters = {}) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: inboxKeys.opportunities(filters),
    queryFn: async ({ pageParam, signal }) =>
      dataOf(
        await api.GET("/admin/opportunities", {
          params: { query: { status: "open", ...filters, ...page(pageParam) } },
          signal,
        }),
      ),
    ...paging,
    select: (data) => data.pages.flatMap((p) => p.opportunities),
  });
}

/** GET /admin/moderation?decision=hold, with every filter but the assignee (refused there). */
export function useHeldContributions(filters: InboxFilters = {}) {
  const api = useApi();
  const held = filtersFor("moderation", filters);
  return useInfiniteQuery({
    queryKey: inboxKeys.moderation(held),
    queryFn: async ({ pageParam, signal }) =>
      dataOf(
        await api.GET("/admin/moderation", {
          params: { query: { decision: "hold", ...held, ...page(pageParam) } },
          signal,
        }),
      ),
    ...paging,
    select: (data) => data.pages.flatMap((p) => p.contributions),
  });
}

/** The most sources the source filter offers (pages of 100). */
const MAX_SOURCE_PAGES = 10;

/**
 * The sources the source filter offers: GET /admin/sources, every page, for admins only
 * (the operation's "Groups:"); `enabled` is false for the others, whose filter is a text
 * field for a source's id. Only a server error is retried: on a 403 (the groups changed)
 * or another refusal the filter falls back to that text field at once.
 */
export function useSourceChoices(enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: inboxKeys.sourceChoices(),
    enabled,
    staleTime: 5 * 60_000,
    retry: (failures, error) => error instanceof ApiError && error.status >= 500 && failures < 2,
    queryFn: async ({ signal }) => {
      const sources: Source[] = [];
      let after: string | null = null;
      for (let read = 0; read < MAX_SOURCE_PAGES; read += 1) {
        const query: { limit: number; after?: string } = after === null ? { limit: 100 } : { limit: 100, after };
        const answer = dataOf(await api.GET("/admin/sources", { params: { query }, signal }));
        sources.push(...answer.sources);
        after = answer.next ?? null;
        if (after === null) break;
      }
      return sources;
    },
  });
}

export interface Decision {
  id: string;
  decision: Extract<ModerationDecision, "approve" | "spam" | "hold">;
  reason: string;
}

/** PUT /admin/moderation/{id} `{"decision", "reason"?}`; the held list is refetched after. */
export function useDecide() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, decision, reason }: Decision) => {
      const trimmed = reason.trim();
      return dataOf(
        await api.PUT("/admin/moderation/{id}", {
          params: { path: { id } },
          body: trimmed === "" ? { decision } : { decision, reason: trimmed },
        }),
      );
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["moderation"] }),
  });
}
