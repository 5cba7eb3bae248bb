// The verification email's live preview: the wording as typed is sent to
// POST /admin/templates/verification/preview once typing pauses (PREVIEW_DELAY_MS); the last
// wording that rendered stays shown, marked stale while what is typed differs from it (being
// asked, or refused: the error then goes on the field the API names).

import { useEffect, useMemo, useState } from "react";
import { useTemplatePreview, type TemplateWordingDraft } from "./queries";

export const PREVIEW_DELAY_MS = 400;

/** `value` once it has not changed for `delay` ms (the first value at once). */
export function useDebounced<T extends string | number | boolean | null>(value: T, delay: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    if (Object.is(settled, value)) return;
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, settled, delay]);
  return settled;
}

export function sameDraft(a: TemplateWordingDraft, b: TemplateWordingDraft): boolean {
  return a.subject === b.subject && a.text === b.text;
}

export interface LivePreview {
  /** The last wording that rendered (`draft`) and what it gave (`rendered`); null before the first. */
  shown: { draft: TemplateWordingDraft; rendered: TemplateWordingDraft } | null;
  /** Whether what is shown is not the wording as typed now. */
  stale: boolean;
  /** Whether the wording as typed is waiting for the pause, or being asked. */
  updating: boolean;
  /** The API's refusal (or a failure) for the wording last asked, until one renders again. */
  error: unknown;
}

/** The live preview of `draft` (the editor's subject and text as typed). */
export function useLivePreview(draft: TemplateWordingDraft, delay = PREVIEW_DELAY_MS): LivePreview {
  // Debounced as one text, so that a new render with the same wording changes nothing.
  const askedKey = useDebounced(JSON.stringify([draft.subject, draft.text]), delay);
  const asked = useMemo<TemplateWordingDraft>(() => {
    const [subject = "", text = ""] = JSON.parse(askedKey) as string[];
    return { subject, text };
  }, [askedKey]);
  const query = useTemplatePreview(asked);
  const [shown, setShown] = useState<LivePreview["shown"]>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (query.isSuccess) {
      setShown((last) => (last !== null && last.rendered === query.data ? last : { draft: asked, rendered: query.data }));
      setError(null);
    } else if (query.isError) {
      setError(query.error);
    }
  }, [query.isSuccess, query.isError, query.data, query.error, asked]);

  const current = shown !== null && sameDraft(shown.draft, draft);
  const waiting = !sameDraft(asked, draft) || query.isFetching;
  return {
    shown,
    stale: shown !== null && !current,
    updating: waiting,
    // A refusal of an older wording is kept while the next is asked (no flicker on the field).
    error: current ? null : error,
  };
}
