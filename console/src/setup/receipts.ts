// What a source's last deliveries (GET /admin/sources/{id}/received, `Receipt`) say, in
// words: each outcome with a mark that does not rely on colour, the events it carried, and a
// refusal's error code explained (the receipt keeps the code and the field, never the
// message, which could quote the payload).

import type { Receipt, ReceiptOutcome } from "./queries";

export const OUTCOMES: readonly ReceiptOutcome[] = ["accepted", "duplicate", "ignored", "ping", "refused", "failed"];

/** The mark beside an outcome's word (hidden from screen readers: the word says it). */
export const OUTCOME_MARKS: Readonly<Record<ReceiptOutcome, string>> = {
  accepted: "✓",
  duplicate: "=",
  ignored: "–",
  ping: "•",
  refused: "✕",
  failed: "!",
};

/** The error codes explained in words (`sources.received.errors.{code}`); others read "refused with the code …". */
export const EXPLAINED_CODES = [
  "unauthorized",
  "forbidden",
  "payload_too_large",
  "invalid_request",
  "method_not_allowed",
  "conflict",
  "not_found",
  "gone",
  "unavailable",
  "internal",
] as const;

export type ExplainedCode = (typeof EXPLAINED_CODES)[number];

/** What explains a refusal or a failure: an i18n key's last part, and its values. */
export type Explanation =
  | { key: ExplainedCode; field?: undefined; code?: undefined }
  | { key: "invalid_requestField"; field: string; code?: undefined }
  | { key: "other"; code: string; field?: undefined }
  | { key: "failedNoCode"; field?: undefined; code?: undefined };

/** Why a delivery was refused or failed, or null for one that was not. */
export function explain(receipt: Pick<Receipt, "outcome" | "error_code" | "error_field">): Explanation | null {
  if (receipt.outcome !== "refused" && receipt.outcome !== "failed") return null;
  const code = receipt.error_code?.trim() ?? "";
  if (code === "") return receipt.outcome === "failed" ? { key: "failedNoCode" } : { key: "other", code: "?" };
  const known = EXPLAINED_CODES.find((c) => c === code);
  if (known === undefined) return { key: "other", code };
  const field = receipt.error_field?.trim() ?? "";
  if (known === "invalid_request" && field !== "") return { key: "invalid_requestField", field };
  return { key: known };
}

/** How many events a delivery carried: new ones, and ones received before. */
export function eventCounts(receipt: Pick<Receipt, "events">): { total: number; fresh: number; duplicate: number } {
  const events = receipt.events ?? [];
  const duplicate = events.filter((e) => e.duplicate).length;
  return { total: events.length, fresh: events.length - duplicate, duplicate };
}

/** An ignored reason (`reason: detail`) split into its code and the rest. */
export function reasonCode(reason: string): string {
  return reason.split(":")[0]?.trim() ?? "";
}
