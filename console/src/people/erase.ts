// Erasing a contact (DELETE /admin/contacts/{id}, admins only): the button enables only once
// the user has typed the contact's id or one of its email addresses, and the call is repeated
// while the API answers 202 (more remains) until its 204 (erased).

import type { ContactPerson } from "./queries";

/** The contact's email addresses, as its identities hold them. */
export function emailsOf(person: Pick<ContactPerson, "identities">): string[] {
  return person.identities
    .filter((identity) => identity.kind === "email" && typeof identity.value === "string" && identity.value.trim() !== "")
    .map((identity) => (identity.value ?? "").trim());
}

/** Whether `typed` names the contact: its id exactly, or one of its emails (case aside). */
export function confirmationMatches(typed: string, contact: { id: string; emails: readonly string[] }): boolean {
  const value = typed.trim();
  if (value === "") return false;
  if (value === contact.id) return true;
  const lower = value.toLowerCase();
  return contact.emails.some((email) => email.toLowerCase() === lower);
}

/** One erasure call: done (204), or part done with how many timeline items went (202). */
export type EraseStep = { done: true } | { done: false; deleted: number };

/** The erasure went on for `calls` calls without the API saying it was done. */
export class ErasureUnfinished extends Error {
  readonly deleted: number;
  readonly calls: number;
  constructor(deleted: number, calls: number) {
    super(`erasure unfinished after ${calls} calls`);
    this.name = "ErasureUnfinished";
    this.deleted = deleted;
    this.calls = calls;
  }
}

/** A safety net: 1,000 calls of 500 items is half a million timeline items. */
export const MAX_ERASE_CALLS = 1000;

/**
 * Calls `step` until it says the contact is gone; `onProgress` after each partial call (the
 * timeline items deleted so far). Throws what a call throws, or `ErasureUnfinished`.
 */
export async function eraseAll(
  step: () => Promise<EraseStep>,
  onProgress: (deleted: number, calls: number) => void = () => undefined,
  maxCalls = MAX_ERASE_CALLS,
): Promise<{ deleted: number; calls: number }> {
  let deleted = 0;
  for (let calls = 1; calls <= maxCalls; calls += 1) {
    const result = await step();
    if (result.done) return { deleted, calls };
    deleted += result.deleted;
    onProgress(deleted, calls);
  }
  throw new ErasureUnfinished(deleted, maxCalls);
}
