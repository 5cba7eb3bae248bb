// The setup screens' calls to the staff API (docs/openapi.yaml), with TanStack Query.
//
// Secrets: what the API shows once (a source's or an endpoint's signing secret, generated
// credentials, a Trustpilot URL with its token) comes back from a mutation only. Those
// mutations are forgotten as soon as the screen that shows the secret lets it go
// (`gcTime: 0`, and `reset()` when the secret is dismissed), and their answers are never put
// in the query cache: lists and views are read again from the API, which never returns a
// secret's value.

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { dataOf } from "../api/client";
import type { components } from "../api/schema";
import { useApi } from "../app/context";

export type Platform = components["schemas"]["Platform"];
export type Source = components["schemas"]["Source"];
export type SourceCreated = components["schemas"]["SourceCreated"];
export type SourceRotated = components["schemas"]["SourceRotated"];
export type CreateSourceRequest = components["schemas"]["CreateSourceRequest"];
export type IgnoredRecord = components["schemas"]["IgnoredRecord"];
export type Receipt = components["schemas"]["Receipt"];
export type ReceiptOutcome = Receipt["outcome"];
export type SourceAccess = components["schemas"]["SourceAccess"];
export type SourceAccessRequest = components["schemas"]["SourceAccessRequest"];
export type Endpoint = components["schemas"]["Endpoint"];
export type EndpointWithSecret = components["schemas"]["EndpointWithSecret"];
export type EndpointKind = components["schemas"]["EndpointKind"];
export type EndpointRegistration = components["schemas"]["EndpointRegistration"];
export type EventType = components["schemas"]["SubscribableEventType"];
export type EventTypeName = components["schemas"]["EventTypeName"];
export type Delivery = components["schemas"]["Delivery"];
export type DeliveryStatus = components["schemas"]["DeliveryStatus"];
export type Rule = components["schemas"]["Rule"];
export type RuleSpec = components["schemas"]["RuleSpec"];
export type Label = components["schemas"]["Label"];
export type Priority = components["schemas"]["Priority"];
export type RouteTo = components["schemas"]["RouteTo"];
export type Team = components["schemas"]["Team"];
export type TemplateView = components["schemas"]["EmailTemplateView"];
export type TemplateWording = components["schemas"]["EmailTemplateWording"];
export type TemplateLanguage = "fr" | "en";
/** A wording as being edited (`EmailTemplateRequest`), and as it reads with the sample values. */
export interface TemplateWordingDraft {
  subject: string;
  text: string;
}
export type Callback = components["schemas"]["Callback"];
export type CallbackStatus = Callback["status"];
export type Conversion = components["schemas"]["Conversion"];
export type RewardState = components["schemas"]["RewardState"];
export type ConversionDecision = components["schemas"]["DecideConversionRequest"]["decision"];

/** How often the lists that change by themselves (callbacks, conversions, a delivery log) are read again. */
export const REFRESH_MS = 15_000;
export const PAGE_SIZE = 50;
/** The ignored deliveries shown on a source's page. */
export const IGNORED_SHOWN = 20;

export const setupKeys = {
  sources: ["sources"] as const,
  source: (id: string) => ["sources", "one", id] as const,
  ignored: (id: string) => ["sources", "ignored", id] as const,
  received: (id: string) => ["sources", "received", id] as const,
  endpoints: ["endpoints"] as const,
  endpoint: (id: string) => ["endpoints", "one", id] as const,
  deliveries: (id: string, status: DeliveryStatus | null) => ["endpoints", "deliveries", id, { status }] as const,
  rules: ["rules"] as const,
  rule: (id: string) => ["rules", "one", id] as const,
  template: ["templates", "verification"] as const,
  /** Not under `template`: a save does not make the previews (of other drafts) wrong. */
  templatePreview: (draft: TemplateWordingDraft) => ["templatePreviews", "verification", draft] as const,
  callbacks: (status: CallbackStatus) => ["callbacks", { status }] as const,
  conversions: (state: RewardState | null) => ["conversions", { state }] as const,
};

const paging = {
  initialPageParam: null as string | null,
  getNextPageParam: (last: { next?: string | null }) => last.next ?? undefined,
};

function page(after: string | null) {
  return after === null ? { limit: PAGE_SIZE } : { limit: PAGE_SIZE, after };
}

/** What shows a secret once: the mutation is dropped when its screen lets it go. */
const FORGET = { gcTime: 0 } as const;

// Sources.

export function useSources() {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: setupKeys.sources,
    queryFn: async ({ pageParam, signal }) =>
      dataOf(await api.GET("/admin/sources", { params: { query: page(pageParam) }, signal })),
    ...paging,
    select: (data) => data.pages.flatMap((p) => p.sources),
  });
}

export function useSource(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: setupKeys.source(id),
    queryFn: async ({ signal }) => dataOf(await api.GET("/admin/sources/{id}", { params: { path: { id } }, signal })),
  });
}

export function useIgnored(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: setupKeys.ignored(id),
    queryFn: async ({ signal }) =>
      dataOf(
        await api.GET("/admin/sources/{id}/ignored", { params: { path: { id }, query: { limit: IGNORED_SHOWN } }, signal }),
      ).ignored,
    refetchInterval: REFRESH_MS,
  });
}

/** GET /admin/sources/{id}/received: the last 7 days' deliveries, newest first, paged by cursor. */
export function useReceived(id: string) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: setupKeys.received(id),
    queryFn: async ({ pageParam, signal }) =>
      dataOf(
        await api.GET("/admin/sources/{id}/received", { params: { path: { id }, query: page(pageParam) }, signal }),
      ),
    ...paging,
    refetchInterval: REFRESH_MS,
    select: (data) => data.pages.flatMap((p) => p.received),
  });
}

/**
 * PUT /admin/sources/{id}/credentials: the answer (generated credentials, shown once) stays
 * in the mutation only; the source is read again (names of the credentials, settings).
 */
export function useUpdateSourceAccess(id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: SourceAccessRequest) =>
      dataOf(await api.PUT("/admin/sources/{id}/credentials", { params: { path: { id } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: setupKeys.source(id) }),
    ...FORGET,
  });
}

/** POST /admin/sources: the answer (with the secret, shown once) stays in the mutation only. */
export function useCreateSource() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: CreateSourceRequest) => dataOf(await api.POST("/admin/sources", { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: setupKeys.sources }),
    ...FORGET,
  });
}

export function useRotateSource(id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (secret: string | null) =>
      dataOf(
        await api.POST("/admin/sources/{id}/rotate", {
          params: { path: { id } },
          body: secret === null ? {} : { secret },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: setupKeys.source(id) }),
    ...FORGET,
  });
}

export function useDeleteSource(id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      await api.DELETE("/admin/sources/{id}", { params: { path: { id } } });
    },
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: setupKeys.source(id) });
      return queryClient.invalidateQueries({ queryKey: setupKeys.sources });
    },
  });
}

// Endpoints.

export function useEndpoints() {
  const api = useApi();
  return useQuery({
    queryKey: setupKeys.endpoints,
    queryFn: async ({ signal }) => dataOf(await api.GET("/admin/endpoints", { signal })),
  });
}

export function useEndpoint(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: setupKeys.endpoint(id),
    queryFn: async ({ signal }) => dataOf(await api.GET("/admin/endpoints/{id}", { params: { path: { id } }, signal })),
  });
}

export function useDeliveries(id: string, status: DeliveryStatus | null) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: setupKeys.deliveries(id, status),
    queryFn: async ({ pageParam, signal }) =>
      dataOf(
        await api.GET("/admin/endpoints/{id}/deliveries", {
          params: { path: { id }, query: status === null ? page(pageParam) : { status, ...page(pageParam) } },
          signal,
        }),
      ),
    ...paging,
    refetchInterval: REFRESH_MS,
    select: (data) => data.pages.flatMap((p) => p.deliveries),
  });
}

export function useCreateEndpoint() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: EndpointRegistration) => dataOf(await api.POST("/admin/endpoints", { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: setupKeys.endpoints }),
    ...FORGET,
  });
}

/** The endpoint's list and view, and its log, read again after a change. */
function useEndpointRefresh(id: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: setupKeys.endpoint(id) }),
      queryClient.invalidateQueries({ queryKey: setupKeys.endpoints, exact: true }),
      queryClient.invalidateQueries({ queryKey: ["endpoints", "deliveries", id] }),
    ]);
}

export function useSetEndpointEnabled(id: string) {
  const api = useApi();
  const refresh = useEndpointRefresh(id);
  return useMutation({
    mutationFn: async (enabled: boolean) =>
      dataOf(await api.PATCH("/admin/endpoints/{id}", { params: { path: { id } }, body: { enabled } })),
    onSettled: refresh,
  });
}

/** POST /admin/endpoints/{id}/secret: the endpoint with its new secret, shown once. */
export function useRotateEndpoint(id: string) {
  const api = useApi();
  const refresh = useEndpointRefresh(id);
  return useMutation({
    mutationFn: async () => {
      const data = dataOf(await api.POST("/admin/endpoints/{id}/{action}", { params: { path: { id, action: "secret" } } }));
      return "secret" in data && typeof data.secret === "string" ? { secret: data.secret } : { secret: null };
    },
    onSuccess: refresh,
    ...FORGET,
  });
}

export function useTestEndpoint(id: string) {
  const api = useApi();
  const refresh = useEndpointRefresh(id);
  return useMutation({
    mutationFn: async () => {
      await api.POST("/admin/endpoints/{id}/{action}", { params: { path: { id, action: "test" } } });
    },
    onSuccess: refresh,
  });
}

export function useReplayEndpoint(id: string) {
  const api = useApi();
  const refresh = useEndpointRefresh(id);
  return useMutation({
    mutationFn: async (status: "dead" | "refused") => {
      const data = dataOf(
        await api.POST("/admin/endpoints/{id}/{action}", { params: { path: { id, action: "replay" } }, body: { status } }),
      );
      return "replayed" in data ? data.replayed : 0;
    },
    onSettled: refresh,
  });
}

export function useDeleteEndpoint(id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      await api.DELETE("/admin/endpoints/{id}", { params: { path: { id } } });
    },
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: setupKeys.endpoint(id) });
      return queryClient.invalidateQueries({ queryKey: setupKeys.endpoints, exact: true });
    },
  });
}

// Rules.

export function useRules() {
  const api = useApi();
  return useQuery({
    queryKey: setupKeys.rules,
    queryFn: async ({ signal }) => dataOf(await api.GET("/admin/rules", { signal })).rules,
  });
}

export function useRule(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: setupKeys.rule(id),
    queryFn: async ({ signal }) => dataOf(await api.GET("/admin/rules/{id}", { params: { path: { id } }, signal })),
  });
}

/** POST /admin/rules, or PUT /admin/rules/{id} when `id` is given. */
export function useSaveRule(id: string | null) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: RuleSpec) =>
      id === null
        ? dataOf(await api.POST("/admin/rules", { body }))
        : dataOf(await api.PUT("/admin/rules/{id}", { params: { path: { id } }, body })),
    onSuccess: (rule) => {
      queryClient.setQueryData(setupKeys.rule(rule.id), rule);
      return queryClient.invalidateQueries({ queryKey: setupKeys.rules, exact: true });
    },
  });
}

export function useDeleteRule() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      await api.DELETE("/admin/rules/{id}", { params: { path: { id } } });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: setupKeys.rules, exact: true }),
  });
}

// The verification email.

export function useVerificationTemplate() {
  const api = useApi();
  return useQuery({
    queryKey: setupKeys.template,
    queryFn: async ({ signal }) =>
      dataOf(await api.GET("/admin/templates/{name}", { params: { path: { name: "verification" } }, signal })),
  });
}

export function useSaveTemplate(language: TemplateLanguage) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: { subject: string; text: string }) =>
      dataOf(
        await api.PUT("/admin/templates/{name}/{language}", {
          params: { path: { name: "verification", language } },
          body,
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: setupKeys.template }),
  });
}

/**
 * POST /admin/templates/verification/preview for a draft (null: nothing to ask yet). Nothing
 * is stored, so one draft always reads the same: kept a while, never refetched, never
 * retried (a 400 is the answer, not a failure to try again). The screen keeps the last good
 * answer itself (templatePreview.ts) while the next draft is asked.
 */
export function useTemplatePreview(draft: TemplateWordingDraft | null) {
  const api = useApi();
  return useQuery({
    queryKey: setupKeys.templatePreview(draft ?? { subject: "", text: "" }),
    queryFn: async ({ signal }) =>
      dataOf(
        await api.POST("/admin/templates/{name}/preview", {
          params: { path: { name: "verification" } },
          body: draft ?? { subject: "", text: "" },
          signal,
        }),
      ),
    enabled: draft !== null,
    retry: false,
    staleTime: Infinity,
    gcTime: 5 * 60_000,
    refetchOnWindowFocus: false,
  });
}

export function useResetTemplate(language: TemplateLanguage) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      await api.DELETE("/admin/templates/{name}/{language}", { params: { path: { name: "verification", language } } });
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: setupKeys.template }),
  });
}

// Callbacks.

export function useCallbacks(status: CallbackStatus) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: setupKeys.callbacks(status),
    queryFn: async ({ pageParam, signal }) =>
      dataOf(await api.GET("/admin/callbacks", { params: { query: { status, ...page(pageParam) } }, signal })),
    ...paging,
    refetchInterval: REFRESH_MS,
    select: (data) => data.pages.flatMap((p) => p.callbacks),
  });
}

export function useChangeCallback() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, status, note }: { id: string; status: CallbackStatus; note: string }) => {
      const trimmed = note.trim();
      return dataOf(
        await api.PATCH("/admin/callbacks/{id}", {
          params: { path: { id } },
          body: trimmed === "" ? { status } : { status, note: trimmed },
        }),
      );
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["callbacks"] }),
  });
}

// Referral conversions.

export function useConversions(state: RewardState | null) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: setupKeys.conversions(state),
    queryFn: async ({ pageParam, signal }) =>
      dataOf(
        await api.GET("/admin/referrals/conversions", {
          params: { query: state === null ? page(pageParam) : { state, ...page(pageParam) } },
          signal,
        }),
      ),
    ...paging,
    refetchInterval: REFRESH_MS,
    select: (data) => data.pages.flatMap((p) => p.conversions),
  });
}

export function useDecideConversion() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, decision, reason }: { id: string; decision: ConversionDecision; reason: string }) => {
      const trimmed = reason.trim();
      return dataOf(
        await api.PATCH("/admin/referrals/conversions/{conversion_id}", {
          params: { path: { conversion_id: id } },
          body: trimmed === "" ? { decision } : { decision, reason: trimmed },
        }),
      );
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["conversions"] }),
  });
}
