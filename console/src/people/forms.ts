// What the conversation's forms send: an answer (channel, text, tags), a case's, a
// question's or an opportunity's close, an opportunity's stage and amount. Checked here as
// the API checks them, so that the form says what is wrong before anything is sent.

import type { AnswerChannel, CloseCaseRequest, CloseOpportunityRequest, CloseQuestionRequest, Label, OpportunityValueRequest, WrittenAnswer } from "./queries";

export const CHANNELS: readonly AnswerChannel[] = ["public_reply", "private_message", "email"];

/** The API's limits (functions/admin/src/work.rs, answers.rs). */
export const MAX_NOTE = 4000;
export const MAX_NOTES = 20;
export const MAX_ASSIGNEE = 200;
export const MAX_STAGE = 100;
export const MAX_TAGS = 10;

/** Tags typed as "delivery, #late courier_x": trimmed, `#` dropped, lower-cased, once each. */
export function parseTags(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(/[\s,]+/)) {
    const tag = raw.trim().replace(/^#+/, "").toLowerCase();
    if (tag !== "" && !out.includes(tag)) out.push(tag);
  }
  return out;
}

/** A tag the API takes: 1 to 40 letters, digits, `-` or `_`. */
export function isTag(tag: string): boolean {
  return /^[\p{L}\p{N}_-]{1,40}$/u.test(tag);
}

export type AnswerProblem = "textMissing" | "tagInvalid" | "tooManyTags";

/** The answer to send, or why it cannot go yet. */
export function writtenAnswer(input: {
  channel: AnswerChannel;
  text: string;
  visibleTags: string;
  hiddenTags: string;
}): { ok: true; answer: WrittenAnswer } | { ok: false; problem: AnswerProblem; tag?: string } {
  const text = input.text.trim();
  if (text === "") return { ok: false, problem: "textMissing" };
  const visible = parseTags(input.visibleTags);
  const hidden = parseTags(input.hiddenTags);
  const bad = [...visible, ...hidden].find((tag) => !isTag(tag));
  if (bad !== undefined) return { ok: false, problem: "tagInvalid", tag: bad };
  if (new Set([...visible, ...hidden]).size > MAX_TAGS) return { ok: false, problem: "tooManyTags" };
  const answer: WrittenAnswer = { channel: input.channel, text };
  if (visible.length > 0 || hidden.length > 0) {
    answer.tags = {};
    if (visible.length > 0) answer.tags.visible = visible;
    if (hidden.length > 0) answer.tags.hidden = hidden;
  }
  return { ok: true, answer };
}

/**
 * A case's close: the resolution when one is written, the message when one is sent, the
 * label when staff say its contribution was not an incident (what it really was).
 */
export function closeCaseBody(resolution: string, message: WrittenAnswer | null, label: Label | null = null): CloseCaseRequest {
  const body: CloseCaseRequest = {};
  const text = resolution.trim();
  if (text !== "") body.resolution = text;
  if (message !== null) body.message = message;
  if (label !== null) body.label = label;
  return body;
}

/** A question's close (`{"resolution"}`, no outcome; the label when it was not a question). */
export function closeQuestionBody(resolution: string, label: Label | null = null): CloseQuestionRequest {
  const body: CloseQuestionRequest = {};
  const text = resolution.trim();
  if (text !== "") body.resolution = text;
  if (label !== null) body.label = label;
  return body;
}

export type Outcome = "won" | "lost";

/** An opportunity's close: won or lost, with its resolution (and the label when it was not a purchase intent). */
export function closeOpportunityBody(
  outcome: Outcome,
  resolution: string,
  label: Label | null = null,
): CloseOpportunityRequest & { outcome: Outcome } {
  const body: CloseOpportunityRequest & { outcome: Outcome } = { outcome };
  const text = resolution.trim();
  if (text !== "") body.resolution = text;
  if (label !== null) body.label = label;
  return body;
}

export type ValueProblem = "nothing" | "stageTooLong" | "amountInvalid" | "currencyMissing" | "currencyInvalid" | "amountMissing";

/**
 * PATCH /admin/opportunities/{id}: the stage when one is written, the amount with its
 * currency when an amount is written (`1250.50`, or `1250,50` as French write it).
 */
export function valueBody(input: { stage: string; amount: string; currency: string }):
  | { ok: true; body: OpportunityValueRequest }
  | { ok: false; problem: ValueProblem } {
  const stage = input.stage.trim();
  const amount = input.amount.trim().replace(/\s/g, "").replace(",", ".");
  const currency = input.currency.trim().toUpperCase();
  if ([...stage].length > MAX_STAGE) return { ok: false, problem: "stageTooLong" };
  if (amount === "" && currency !== "") return { ok: false, problem: "amountMissing" };
  if (amount !== "") {
    if (!/^[0-9]{1,10}(\.[0-9]{1,4})?$/.test(amount) || Number(amount) > 4294967296) return { ok: false, problem: "amountInvalid" };
    if (currency === "") return { ok: false, problem: "currencyMissing" };
    if (!/^[A-Z]{3}$/.test(currency)) return { ok: false, problem: "currencyInvalid" };
  }
  if (stage === "" && amount === "") return { ok: false, problem: "nothing" };
  if (amount === "") return { ok: true, body: { stage } };
  return { ok: true, body: stage === "" ? { amount, currency } : { stage, amount, currency } };
}

/** An address the page may link to: http(s) only (a platform's permalink, never `javascript:`). */
export function safeUrl(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}
