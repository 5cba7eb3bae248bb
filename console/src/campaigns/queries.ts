// The campaigns' API calls (TanStack Query over the typed client): the list, one campaign,
// saving it, its actions, its preview, its stats and its audience.

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, dataOf } from "../api/client";
import type { components } from "../api/schema";
import { useApi } from "../app/context";
import type { Campaign, CampaignAction, CampaignSpec } from "./form";
import { askKey, previewBody, type PreviewAsk } from "./preview";
import type { CampaignStats } from "./results";

export type CampaignPreview = components["schemas"]["CampaignPreview"];
export type AbandonedAudience = components["schemas"]["AbandonedAudience"];

/** Lists and statuses move on their own (a scheduled campaign becomes active): refetched. */
export const REFRESH_MS = 30_000;
/** Results change as emails go: refetched more often. */
export const STATS_REFRESH_MS = 15_000;

export const campaignKeys = {
  all: ["campaigns"] as const,
  list: () => ["campaigns", "list"] as const,
  one: (id: string) => ["campaigns", "one", id] as const,
  stats: (id: string) => ["campaigns", "stats", id] as const,
  preview: (id: string, ask: string, version: string) => ["campaigns", "preview", id, ask, version] as const,
};

export function useCampaigns() {
  const api = useApi();
  return useQuery({
    queryKey: campaignKeys.list(),
    queryFn: async ({ signal }) => dataOf(await api.GET("/admin/campaigns", { signal })).campaigns,
    refetchInterval: REFRESH_MS,
  });
}

export function useCampaign(id: string, enabled = true) {
  const api = useApi();
  return useQuery({
    enabled,
    queryKey: campaignKeys.one(id),
    queryFn: async ({ signal }) => dataOf(await api.GET("/admin/campaigns/{id}", { params: { path: { id } }, signal })),
    refetchInterval: REFRESH_MS,
  });
}

/** POST /admin/campaigns (no id yet: a new draft) or PUT /admin/campaigns/{id}. */
export function useSaveCampaign() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, spec }: { id: string | null; spec: CampaignSpec }): Promise<Campaign> =>
      id === null
        ? dataOf(await api.POST("/admin/campaigns", { body: spec }))
        : dataOf(await api.PUT("/admin/campaigns/{id}", { params: { path: { id } }, body: spec })),
    onSuccess: (campaign) => {
      queryClient.setQueryData(campaignKeys.one(campaign.id), campaign);
      void queryClient.invalidateQueries({ queryKey: campaignKeys.list() });
    },
  });
}

function isCampaign(value: unknown): value is Campaign {
  return typeof value === "object" && value !== null && "id" in value && "status" in value;
}

/** POST /admin/campaigns/{id}/{action}: the campaign afterwards (the copy, for duplicate). */
export function useCampaignAction(id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (action: CampaignAction): Promise<Campaign> => {
      const data = dataOf(await api.POST("/admin/campaigns/{id}/{action}", { params: { path: { id, action } } }));
      if (!isCampaign(data)) throw new ApiError(200, "unknown", "");
      return data;
    },
    onSuccess: (campaign) => {
      queryClient.setQueryData(campaignKeys.one(campaign.id), campaign);
      void queryClient.invalidateQueries({ queryKey: campaignKeys.list() });
    },
  });
}

/**
 * POST /admin/campaigns/{id}/preview: a stored campaign's step, with the content as it is
 * being typed (not yet saved), as it would go out now. `version` (the campaign's
 * `updated_at`) renders again after each save (a real cart's incentive code is the saved one).
 */
export function usePreview(id: string | null, ask: PreviewAsk, version: string, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: campaignKeys.preview(id ?? "", askKey(ask), version),
    queryFn: async ({ signal }): Promise<CampaignPreview> => {
      const data = dataOf(
        await api.POST("/admin/campaigns/{id}/{action}", {
          params: { path: { id: id ?? "", action: "preview" } },
          body: previewBody(ask),
          signal,
        }),
      );
      if (isCampaign(data)) throw new ApiError(200, "unknown", "");
      return data;
    },
    enabled: enabled && id !== null,
    placeholderData: keepPreviousData,
    staleTime: 60_000,
    refetchOnWindowFocus: false,
  });
}

export function useCampaignStats(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: campaignKeys.stats(id),
    queryFn: async ({ signal }): Promise<CampaignStats> =>
      dataOf(await api.GET("/admin/campaigns/{id}/stats", { params: { path: { id } }, signal })),
    refetchInterval: STATS_REFRESH_MS,
  });
}

/** GET /admin/audiences/abandoned?campaign=…: the hashes, to make a file of. */
export function useAudience(id: string) {
  const api = useApi();
  return useMutation({
    mutationFn: async (): Promise<AbandonedAudience> => {
      const data = dataOf(await api.GET("/admin/audiences/abandoned", { params: { query: { campaign: id, format: "json" } } }));
      if (typeof data === "string") throw new ApiError(200, "unknown", "");
      return data;
    },
  });
}
