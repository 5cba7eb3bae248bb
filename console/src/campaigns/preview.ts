// The live preview's logic, apart from React: what POST /admin/campaigns/{id}/preview is
// sent (the step's or its variant B's content as it is being typed, not the saved one),
// where a 400 it answers belongs in the form (`content.html` is the HTML field of the step
// or variant being previewed), and whether the email shown is the one typed or an older one.

import { ApiError } from "../api/client";
import { templateLine } from "./fields";
import type { ContentForm, StepForm } from "./form";
import type { FormError } from "./parts";

/** How long typing rests before the preview renders again. */
export const PREVIEW_DEBOUNCE_MS = 400;

export type Variant = "A" | "B";

/** Which email to render: a step (0-based), its variant, a real cart or the sample one, and the content as typed. */
export interface PreviewAsk {
  step: number;
  variant: Variant;
  cartId: string | null;
  content: ContentForm;
}

/** The content of the step's variant being previewed (variant B only when the step tests one). */
export function previewContent(step: StepForm, variant: Variant): ContentForm {
  const source = variant === "B" && step.abTest ? step.variantB : step.content;
  return { subject: source.subject, html: source.html, text: source.text };
}

/** The request's body (CampaignPreviewRequest): the variant and the cart only when not the defaults. */
export function previewBody(ask: PreviewAsk) {
  return {
    step: ask.step,
    ...(ask.variant === "B" ? { variant: "B" as const } : {}),
    ...(ask.cartId !== null ? { cart_id: ask.cartId } : {}),
    content: { subject: ask.content.subject, html: ask.content.html, text: ask.content.text },
  };
}

/** A stable text of an ask (a query key, and what the debounce compares). */
export function askKey(ask: PreviewAsk): string {
  return JSON.stringify([ask.step, ask.variant, ask.cartId, ask.content.subject, ask.content.html, ask.content.text]);
}

/** The ask a key was made of. */
export function askFromKey(key: string): PreviewAsk {
  const [step, variant, cartId, subject, html, text] = JSON.parse(key) as [number, Variant, string | null, string, string, string];
  return { step, variant, cartId, content: { subject, html, text } };
}

/**
 * The form's input a preview's 400 names: `content.subject`, `content.html`, `content.text`
 * (the check a save makes) or the bare part (a template that does not render) are the field
 * of the step or variant previewed; `cart_id` is the cart's field; anything else, none.
 */
export function previewErrorPath(field: string | undefined | null, step: number, variant: Variant): string | null {
  if (field === undefined || field === null) return null;
  const name = field.trim().replace(/^\$\.?/, "").replace(/^body\./, "");
  const part = /^(?:content\.)?(subject|html|text)$/.exec(name)?.[1];
  if (part !== undefined) return `steps[${step}].${variant === "B" ? "variant_b." : ""}${part}`;
  if (name === "cart_id") return "preview.cart_id";
  return null;
}

/** A failed preview as an error on the input it names, or null when it names none. */
export function previewFieldError(error: unknown, step: number, variant: Variant, message: string): FormError | null {
  if (!(error instanceof ApiError) || error.status !== 400) return null;
  const path = previewErrorPath(error.field, step, variant);
  if (path === null) return null;
  return { path, message, line: path.startsWith("preview.") ? null : templateLine(message) };
}

/** An email that rendered, and the ask it rendered. */
export interface Rendered<T> {
  key: string;
  data: T;
}

export type PreviewPhase =
  /** The email shown is the one typed. */
  | "current"
  /** Typing, or rendering what was typed: the email shown is an older one for a moment. */
  | "pending"
  /** What was typed does not render (the error says why): the email shown is the last that did. */
  | "failed"
  /** Nothing rendered yet. */
  | "none";

/**
 * Where the preview stands: `typed` is the ask as on the screen now, `asked` the one the
 * query renders (the same once typing has rested), `shown` the last email that rendered.
 */
export function previewPhase<T>({
  typed,
  asked,
  shown,
  fetching,
  failed,
}: {
  typed: string;
  asked: string;
  shown: Rendered<T> | null;
  fetching: boolean;
  failed: boolean;
}): { phase: PreviewPhase; stale: boolean } {
  const stale = shown !== null && shown.key !== typed;
  if (typed !== asked || fetching) return { phase: "pending", stale };
  if (failed) return { phase: "failed", stale };
  if (shown === null) return { phase: "none", stale: false };
  return { phase: stale ? "pending" : "current", stale };
}
