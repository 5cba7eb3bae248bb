// The inbox's lists: the first page, then more on demand (the API's `next` cursor),
// refetched every 15 seconds so that new items appear without a reload.

import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { dataOf } from "../api/client";
import type { components } from "../api/schema";
import { useApi } from "../app/context";

export const REFRESH_MS = 15_000;
export const PAGE_SIZE = 50;

export type Case = components["schemas"]["Case"];
export type Question = components["schemas"]["Question"];
export type Opportunity = components["schemas"]["Opportunity"];
export type Contribution = components["schemas"]["ContributionItem"];
export type ModerationDecision = components["schemas"]["ModerationDecision"];
export type WorkStatus = "open" | "closed";
export type Team = components["schemas"]["Team"];

export const inboxKeys = {
  cases: (status: WorkStatus) => ["cases", { status }] as const,
  questions: (owner: Team | null) => ["questions", { owner }] as const,
  opportunities: () => ["opportunities", { status: "open" }] as const,
  moderation: () => ["moderation", { decision: "hold" }] as const,
};

const paging = {
  initialPageParam: null as string | null,
  getNextPageParam: (last: { next?: string | null }) => last.next ?? undefined,
  refetchInterval: REFRESH_MS,
};

function page(after: string | null) {
  return after === null ? { limit: PAGE_SIZE } : { limit: PAGE_SIZE, after };
}

export function useCases(status: WorkStatus) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: inboxKeys.cases(status),
    queryFn: async ({ pageParam, signal }) =>
      dataOf(await api.GET("/admin/cases", { params: { query: { status, ...page(pageParam) } }, signal })),
    ...paging,
    select: (data) => data.pages.flatMap((p) => p.cases),
  });
}

export function useQuestions(owner: Team | null) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: inboxKeys.questions(owner),
    queryFn: async ({ pageParam, signal }) =>
      dataOf(
        await api.GET("/admin/questions", {
          params: { query: owner === null ? page(pageParam) : { owner, ...page(pageParam) } },
          signal,
        }),
      ),
    ...paging,
    select: (data) => data.pages.flatMap((p) => p.questions),
  });
}

export function useOpportunities() {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: inboxKeys.opportunities(),
    queryFn: async ({ pageParam, signal }) =>
      dataOf(await api.GET("/admin/opportunities", { params: { query: { status: "open", ...page(pageParam) } }, signal })),
    ...paging,
    select: (data) => data.pages.flatMap((p) => p.opportunities),
  });
}

export function useHeldContributions() {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: inboxKeys.moderation(),
    queryFn: async ({ pageParam, signal }) =>
      dataOf(await api.GET("/admin/moderation", { params: { query: { decision: "hold", ...page(pageParam) } }, signal })),
    ...paging,
    select: (data) => data.pages.flatMap((p) => p.contributions),
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
