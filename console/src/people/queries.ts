// The people area's calls: a case, question or opportunity and what staff do with it, a
// case's answers, contacts (find, show with their timeline, type, merge, export, erase), and
// the reports. Every error reaches the screens as `ApiError` (src/api/client.ts).

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { dataOf, type ApiClient } from "../api/client";
import type { components } from "../api/schema";
import { useApi } from "../app/context";
import type { Group } from "../auth/session";
import type { ContactQuery } from "./search";
import type { DayRange } from "./reports";
import type { EraseStep } from "./erase";

type Schemas = components["schemas"];
export type Case = Schemas["Case"];
export type ClosedCase = Schemas["ClosedCase"];
export type Question = Schemas["Question"];
export type Opportunity = Schemas["Opportunity"];
export type Note = Schemas["Note"];
export type Thread = Schemas["Thread"];
export type Answer = Schemas["Answer"];
export type AnswerChannel = Schemas["AnswerChannel"];
export type AnswerState = Schemas["AnswerState"];
export type WrittenAnswer = Schemas["WrittenAnswer"];
export type CloseCaseRequest = Schemas["CloseCaseRequest"];
export type CloseQuestionRequest = Omit<Schemas["CloseRequest"], "outcome">;
export type CloseOpportunityRequest = Schemas["CloseOpportunityRequest"];
export type Label = Schemas["Label"];
export type CorrectionsReport = Schemas["CorrectionsReport"];
export type OpportunityValueRequest = Schemas["OpportunityValueRequest"];
export type ContactPerson = Schemas["ContactPerson"];
export type ContactWithTimeline = Schemas["ContactWithTimeline"];
export type ContactIdentity = Schemas["ContactIdentity"];
export type ContactType = Schemas["ContactType"];
export type ProposedType = Schemas["ProposedType"];
export type AuthorAudience = Schemas["AuthorAudience"];
export type TimelineEntry = Schemas["TimelineEntry"];
export type TimelineKind = Schemas["TimelineKind"];
export type ContactExport = Schemas["ContactExport"];
export type Merged = Schemas["Merged"];
export type MergeUndone = Schemas["MergeUndone"];
export type CountReport = Schemas["CountReport"];
export type ResponseTimes = Schemas["ResponseTimes"];
export type RevenueReport = Schemas["RevenueReport"];
export type PerCurrency = Schemas["PerCurrency"];
export type PerGroupPerCurrency = Schemas["PerGroupPerCurrency"];

export const CONTACT_TYPES: readonly ContactType[] = [
  "customer",
  "prospect",
  "visitor",
  "blogger",
  "journalist",
  "association",
  "partner",
  "affiliate",
  "tester",
];

/** Conversations and threads refresh as the inbox does: others work on them too. */
export const REFRESH_MS = 15_000;

export type WorkKind = "case" | "question" | "opportunity";
export type Work =
  | { kind: "case"; item: Case | ClosedCase }
  | { kind: "question"; item: Question }
  | { kind: "opportunity"; item: Opportunity };

/** The inbox list each kind belongs to (its query keys start with it). */
export const LIST_OF: Record<WorkKind, "cases" | "questions" | "opportunities"> = {
  case: "cases",
  question: "questions",
  opportunity: "opportunities",
};

export const peopleKeys = {
  work: (kind: WorkKind, id: string) => ["work", kind, id] as const,
  /** Every thread starts with "thread": a relabel refreshes them all (inbox/Relabel.tsx). */
  thread: (caseId: string) => ["thread", "case", caseId] as const,
  contributionThread: (eventId: string) => ["thread", "contribution", eventId] as const,
  contact: (id: string) => ["contact", id] as const,
  search: (query: ContactQuery | null) => ["contactSearch", query] as const,
  report: (name: string, params: DayRange & { by?: string }) => ["report", name, params] as const,
  /** Not per range: the newest corrections, whatever their dates. */
  corrections: () => ["report", "corrections"] as const,
};

async function fetchWork(api: ApiClient, kind: WorkKind, id: string, signal?: AbortSignal): Promise<Work> {
  const params = { path: { id } };
  switch (kind) {
    case "case":
      return { kind, item: dataOf(await api.GET("/admin/cases/{id}", { params, signal })) };
    case "question":
      return { kind, item: dataOf(await api.GET("/admin/questions/{id}", { params, signal })) };
    case "opportunity":
      return { kind, item: dataOf(await api.GET("/admin/opportunities/{id}", { params, signal })) };
  }
}

/** GET /admin/cases/{id}, /admin/questions/{id} or /admin/opportunities/{id}. */
export function useWork(kind: WorkKind, id: string) {
  const api = useApi();
  return useQuery({
    queryKey: peopleKeys.work(kind, id),
    queryFn: ({ signal }) => fetchWork(api, kind, id, signal),
    refetchInterval: REFRESH_MS,
  });
}

/** After a change: the item as the API answered it, and the inbox's lists refreshed. */
function useWorkUpdate(kind: WorkKind, id: string) {
  const queryClient = useQueryClient();
  return (work: Work) => {
    queryClient.setQueryData(peopleKeys.work(kind, id), work);
    void queryClient.invalidateQueries({ queryKey: [LIST_OF[kind]] });
  };
}

/** POST …/{id}/assign `{"assignee"}`. */
export function useAssign(kind: WorkKind, id: string) {
  const api = useApi();
  const onSuccess = useWorkUpdate(kind, id);
  return useMutation({
    mutationFn: async (assignee: string): Promise<Work> => {
      const init = { params: { path: { id } }, body: { assignee: assignee.trim() } };
      switch (kind) {
        case "case":
          return { kind, item: dataOf(await api.POST("/admin/cases/{id}/assign", init)) };
        case "question":
          return { kind, item: dataOf(await api.POST("/admin/questions/{id}/assign", init)) };
        case "opportunity":
          return { kind, item: dataOf(await api.POST("/admin/opportunities/{id}/assign", init)) };
      }
    },
    onSuccess,
  });
}

/** POST …/{id}/notes `{"text"}`: a private note. */
export function useAddNote(kind: WorkKind, id: string) {
  const api = useApi();
  const onSuccess = useWorkUpdate(kind, id);
  return useMutation({
    mutationFn: async (text: string): Promise<Work> => {
      const init = { params: { path: { id } }, body: { text: text.trim() } };
      switch (kind) {
        case "case":
          return { kind, item: dataOf(await api.POST("/admin/cases/{id}/notes", init)) };
        case "question":
          return { kind, item: dataOf(await api.POST("/admin/questions/{id}/notes", init)) };
        case "opportunity":
          return { kind, item: dataOf(await api.POST("/admin/opportunities/{id}/notes", init)) };
      }
    },
    onSuccess,
  });
}

export type CloseInput =
  | { kind: "case"; body: CloseCaseRequest }
  | { kind: "question"; body: CloseQuestionRequest }
  | { kind: "opportunity"; body: CloseOpportunityRequest & { outcome: "won" | "lost" } };

/**
 * POST …/{id}/close: a case with its resolution and maybe a message, an opportunity won or
 * lost; each maybe with what its contribution really was (`label`, a correction: the
 * corrections report is refreshed).
 */
export function useClose(kind: WorkKind, id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  const update = useWorkUpdate(kind, id);
  return useMutation({
    mutationFn: async (input: CloseInput): Promise<Work> => {
      const params = { path: { id } };
      switch (input.kind) {
        case "case":
          return { kind: "case", item: dataOf(await api.POST("/admin/cases/{id}/close", { params, body: input.body })) };
        case "question":
          return { kind: "question", item: dataOf(await api.POST("/admin/questions/{id}/close", { params, body: input.body })) };
        case "opportunity":
          return {
            kind: "opportunity",
            item: dataOf(await api.POST("/admin/opportunities/{id}/close", { params, body: input.body })),
          };
      }
    },
    onSuccess: (work, input) => {
      update(work);
      if (work.kind === "case") void queryClient.invalidateQueries({ queryKey: peopleKeys.thread(id) });
      if (input.body.label !== undefined && input.body.label !== null) {
        // The thread carries the contribution's correction.
        void queryClient.invalidateQueries({ queryKey: workThreadKey(work) });
        void queryClient.invalidateQueries({ queryKey: ["contact"] });
        void queryClient.invalidateQueries({ queryKey: peopleKeys.corrections() });
      }
    },
  });
}

/** PATCH /admin/opportunities/{id}: its stage, its amount with the currency. */
export function useValueOpportunity(id: string) {
  const api = useApi();
  const onSuccess = useWorkUpdate("opportunity", id);
  return useMutation({
    mutationFn: async (body: OpportunityValueRequest): Promise<Work> => ({
      kind: "opportunity",
      item: dataOf(await api.PATCH("/admin/opportunities/{id}", { params: { path: { id } }, body })),
    }),
    onSuccess,
  });
}

async function fetchCaseThread(api: ApiClient, caseId: string, signal?: AbortSignal): Promise<Thread> {
  return dataOf(await api.GET("/admin/cases/{id}/answers", { params: { path: { id: caseId } }, signal }));
}

/** GET /admin/cases/{id}/answers: what the person wrote, the answers and their replies. */
export function useCaseThread(caseId: string) {
  const api = useApi();
  return useQuery({
    queryKey: peopleKeys.thread(caseId),
    queryFn: ({ signal }) => fetchCaseThread(api, caseId, signal),
    refetchInterval: REFRESH_MS,
  });
}

/** GET /admin/contributions/{id}/answers: "Groups: liaison-admin, liaison-support, liaison-sales". */
export const CONTRIBUTION_THREAD_GROUPS: readonly Group[] = ["liaison-admin", "liaison-support", "liaison-sales"];

/** Who may read a conversation's thread: a case's is read by whoever reads the case. */
export function mayReadThread(kind: WorkKind, groups: readonly Group[]): boolean {
  return kind === "case" || groups.some((group) => CONTRIBUTION_THREAD_GROUPS.includes(group));
}

/** The thread of a conversation: its case's, else its contribution's. */
export function workThreadKey(work: Work) {
  return work.kind === "case" ? peopleKeys.thread(work.item.id) : peopleKeys.contributionThread(work.item.event_id);
}

/**
 * A conversation's thread (the case's, shared with `useCaseThread`, else the contribution's):
 * its contribution's classification and staff's correction. Not read when `enabled` is false.
 */
export function useWorkThread(work: Work, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: workThreadKey(work),
    queryFn: async ({ signal }): Promise<Thread> =>
      work.kind === "case"
        ? fetchCaseThread(api, work.item.id, signal)
        : dataOf(await api.GET("/admin/contributions/{id}/answers", { params: { path: { id: work.item.event_id } }, signal })),
    refetchInterval: REFRESH_MS,
    enabled,
  });
}

/** POST /admin/cases/{id}/answers: queued, published by the answers function. */
export function useAnswerCase(caseId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (answer: WrittenAnswer) =>
      dataOf(await api.POST("/admin/cases/{id}/answers", { params: { path: { id: caseId } }, body: answer })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: peopleKeys.thread(caseId) }),
  });
}

/** GET /admin/contacts?email= | platform=&handle= | platform=&account=, when there is a query. */
export function useFindContact(query: ContactQuery | null) {
  const api = useApi();
  return useQuery({
    queryKey: peopleKeys.search(query),
    queryFn: async ({ signal }) => dataOf(await api.GET("/admin/contacts", { params: { query: query ?? {} }, signal })),
    enabled: query !== null,
  });
}

/** GET /admin/contacts/{id}: the person, and their timeline a page at a time (`?before=`). */
export function useContact(id: string, enabled = true) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: peopleKeys.contact(id),
    queryFn: async ({ pageParam, signal }) =>
      dataOf(
        await api.GET("/admin/contacts/{id}", {
          params: { path: { id }, query: pageParam === null ? {} : { before: pageParam } },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next ?? undefined,
    enabled,
  });
}

/** PATCH /admin/contacts/{id} `{"type"}`. */
export function useSetContactType(id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (type: ContactType) =>
      dataOf(await api.PATCH("/admin/contacts/{id}", { params: { path: { id } }, body: { type } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: peopleKeys.contact(id) }),
  });
}

/** DELETE /admin/contacts/{id}/proposed-type: the type Liaison proposed, dismissed for good
 * (confirming it is `useSetContactType` with its type). */
export function useDismissProposedType(id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => dataOf(await api.DELETE("/admin/contacts/{id}/proposed-type", { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: peopleKeys.contact(id) }),
  });
}

/** POST /admin/contacts/{id}/merge `{"from"}`: `from` merged into `id`. */
export function mergeContact(api: ApiClient, into: string, from: string): Promise<Merged> {
  return api
    .POST("/admin/contacts/{id}/merge", { params: { path: { id: into } }, body: { from } })
    .then(dataOf);
}

/** POST /admin/contacts/{id}/merges/{merge_id}/undo. */
export function undoMerge(api: ApiClient, into: string, mergeId: string): Promise<MergeUndone> {
  return api
    .POST("/admin/contacts/{id}/merges/{merge_id}/undo", { params: { path: { id: into, merge_id: mergeId } } })
    .then(dataOf);
}

/** GET /admin/contacts/{id}/export, or one kind's next part. */
export function exportPart(
  api: ApiClient,
  id: string,
  part: { kind: TimelineKind; after: string } | null,
): Promise<ContactExport> {
  return api
    .GET("/admin/contacts/{id}/export", { params: { path: { id }, query: part === null ? {} : part } })
    .then(dataOf);
}

/** DELETE /admin/contacts/{id}: one call of an erasure (202: more remains, 204: erased). */
export async function eraseStep(api: ApiClient, id: string): Promise<EraseStep> {
  const { data, response } = await api.DELETE("/admin/contacts/{id}", { params: { path: { id } } });
  if (response.status === 204) return { done: true };
  return { done: false, deleted: data?.deleted ?? 0 };
}

export type ContributionsBy = "platform" | "label" | "day";
export type AnswersBy = "tag" | "channel";

/** GET /admin/reports/contributions?from&to&by. */
export function useContributionsReport(range: DayRange, by: ContributionsBy) {
  const api = useApi();
  return useQuery({
    queryKey: peopleKeys.report("contributions", { ...range, by }),
    queryFn: async ({ signal }) =>
      dataOf(await api.GET("/admin/reports/contributions", { params: { query: { ...range, by } }, signal })),
  });
}

/** GET /admin/reports/answers?from&to&by. */
export function useAnswersReport(range: DayRange, by: AnswersBy) {
  const api = useApi();
  return useQuery({
    queryKey: peopleKeys.report("answers", { ...range, by }),
    queryFn: async ({ signal }) =>
      dataOf(await api.GET("/admin/reports/answers", { params: { query: { ...range, by } }, signal })),
  });
}

/** GET /admin/reports/response-times?from&to. */
export function useResponseTimesReport(range: DayRange) {
  const api = useApi();
  return useQuery({
    queryKey: peopleKeys.report("response-times", range),
    queryFn: async ({ signal }) =>
      dataOf(await api.GET("/admin/reports/response-times", { params: { query: range }, signal })),
  });
}

/** GET /admin/reports/revenue?from&to. */
export function useRevenueReport(range: DayRange) {
  const api = useApi();
  return useQuery({
    queryKey: peopleKeys.report("revenue", range),
    queryFn: async ({ signal }) => dataOf(await api.GET("/admin/reports/revenue", { params: { query: range }, signal })),
  });
}

/** GET /admin/reports/corrections: the classifier measured on staff's corrections. */
export function useCorrectionsReport() {
  const api = useApi();
  return useQuery({
    queryKey: peopleKeys.corrections(),
    queryFn: async ({ signal }) => dataOf(await api.GET("/admin/reports/corrections", { signal })),
  });
}
