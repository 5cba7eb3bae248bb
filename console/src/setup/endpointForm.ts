// An endpoint's registration form (docs/webhooks.md, functions/admin/src/endpoints.rs): the
// fields each kind takes, the event types it may handle, and the body of POST /admin/endpoints.

import type { EndpointKind, EndpointRegistration, EventType } from "./queries";

export const KINDS: readonly EndpointKind[] = ["webhook", "zendesk", "hubspot", "email", "slack", "teams"];

/** Every event type a webhook may subscribe to (the API's `event_types` give the same list). */
export const ALL_EVENT_TYPES: readonly EventType[] = [
  "case.opened",
  "case.updated",
  "case.closed",
  "case.overdue",
  "opportunity.opened",
  "opportunity.closed",
  "question.opened",
  "question.closed",
  "question.overdue",
  "callback.requested",
  "contribution.classified",
  "answer.published",
  "contact.created",
  "contact.merged",
  "contact.erased",
  "consent.changed",
  "referral.converted",
];

/** What people are told of at once by email, Slack or Teams. */
const NOTIFICATIONS: readonly EventType[] = [
  "opportunity.opened",
  "callback.requested",
  "case.opened",
  "case.overdue",
  "question.opened",
  "question.overdue",
];

/** The event types each kind handles. */
export const HANDLED: Record<EndpointKind, readonly EventType[]> = {
  webhook: ALL_EVENT_TYPES,
  zendesk: ["case.opened", "case.closed", "contact.erased"],
  hubspot: ["opportunity.opened", "opportunity.closed", "contribution.classified", "contact.erased", "consent.changed"],
  email: NOTIFICATIONS,
  slack: NOTIFICATIONS,
  teams: NOTIFICATIONS,
};

export type EndpointField = "url" | "account" | "token" | "currency" | "description" | "types";

/** The fields each kind's form shows, in order. */
export const FIELDS: Record<EndpointKind, readonly EndpointField[]> = {
  webhook: ["url", "description", "types"],
  zendesk: ["url", "account", "token", "description", "types"],
  hubspot: ["url", "account", "token", "currency", "description", "types"],
  email: ["account", "description", "types"],
  slack: ["url", "description", "types"],
  teams: ["url", "description", "types"],
};

export interface EndpointForm {
  kind: EndpointKind;
  url: string;
  account: string;
  token: string;
  currency: string;
  description: string;
  /** Null: none chosen yet, which means the kind's defaults (a webhook has none). */
  types: EventType[] | null;
}

export function emptyEndpointForm(kind: EndpointKind = "webhook"): EndpointForm {
  return { kind, url: kind === "hubspot" ? "https://api.hubapi.com" : "", account: "", token: "", currency: "", description: "", types: null };
}

/** The types ticked now: the kind's all (a connector's default), none for a webhook. */
export function typesShown(form: EndpointForm): EventType[] {
  const handled = HANDLED[form.kind];
  if (form.types === null) return form.kind === "webhook" ? [] : [...handled];
  return form.types.filter((type) => handled.includes(type));
}

/** Another kind: the fields it does not take are emptied, its types start again. */
export function withKind(form: EndpointForm, kind: EndpointKind): EndpointForm {
  const next = emptyEndpointForm(kind);
  const fields = FIELDS[kind];
  return {
    ...next,
    url: fields.includes("url") && form.url !== "" && form.url !== "https://api.hubapi.com" ? form.url : next.url,
    account: fields.includes("account") ? form.account : "",
    description: form.description,
  };
}

/** POST /admin/endpoints's body: only the fields the kind takes, trimmed. */
export function endpointBody(form: EndpointForm): EndpointRegistration {
  const types = typesShown(form);
  const description = form.description.trim();
  const extra = description === "" ? {} : { description };
  switch (form.kind) {
    case "webhook":
      return { kind: "webhook", url: form.url.trim(), types, ...extra };
    case "zendesk":
      return {
        kind: "zendesk",
        url: form.url.trim(),
        account: form.account.trim(),
        token: form.token.trim(),
        types: types as ("case.opened" | "case.closed" | "contact.erased")[],
        ...extra,
      };
    case "hubspot":
      return {
        kind: "hubspot",
        url: form.url.trim(),
        account: form.account.trim(),
        token: form.token.trim(),
        currency: form.currency.trim().toUpperCase(),
        types: types as ("opportunity.opened" | "opportunity.closed" | "contribution.classified" | "contact.erased" | "consent.changed")[],
        ...extra,
      };
    case "email":
      return { kind: "email", account: form.account.trim(), types: types as NotificationType[], ...extra };
    case "slack":
    case "teams":
      return { kind: form.kind, url: form.url.trim(), types: types as NotificationType[], ...extra };
  }
}

type NotificationType = "opportunity.opened" | "callback.requested" | "case.opened" | "case.overdue" | "question.opened" | "question.overdue";

/** The first field the form lacks (the API checks the values), or null. */
export function checkEndpoint(form: EndpointForm): { field: EndpointField; reason: "required" | "types" } | null {
  for (const field of FIELDS[form.kind]) {
    if (field === "description") continue;
    if (field === "types") {
      if (typesShown(form).length === 0) return { field, reason: "types" };
      continue;
    }
    if (form[field].trim() === "") return { field, reason: "required" };
  }
  return null;
}
