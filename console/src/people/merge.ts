// Merging a candidate into the contact shown (POST /admin/contacts/{id}/merge, admins only),
// and undoing it (POST /admin/contacts/{id}/merges/{merge_id}/undo): the state of each
// candidate's merge, so that the page offers exactly what can be done next.

import type { Merged } from "./queries";

export type MergeState =
  | { phase: "idle" }
  /** "Merge…" pressed: the user confirms or cancels. */
  | { phase: "confirming" }
  | { phase: "merging" }
  | { phase: "merged"; merge: Merged }
  | { phase: "undoing"; merge: Merged }
  | { phase: "undone"; merge: Merged }
  /** A merge that failed (nothing moved), or an undo that failed (`merge` still stands). */
  | { phase: "failed"; during: "merge"; message: string }
  | { phase: "failed"; during: "undo"; message: string; merge: Merged };

export type MergeAction =
  | { type: "ask" }
  | { type: "cancel" }
  | { type: "start" }
  | { type: "merged"; merge: Merged }
  | { type: "undo" }
  | { type: "undone" }
  | { type: "failed"; message: string };

export const IDLE: MergeState = { phase: "idle" };

/** The next state; an action that does not apply leaves the state as it is. */
export function mergeReducer(state: MergeState, action: MergeAction): MergeState {
  switch (action.type) {
    case "ask":
      return state.phase === "idle" || state.phase === "undone" || (state.phase === "failed" && state.during === "merge")
        ? { phase: "confirming" }
        : state;
    case "cancel":
      return state.phase === "confirming" ? IDLE : state;
    case "start":
      return state.phase === "confirming" ? { phase: "merging" } : state;
    case "merged":
      return state.phase === "merging" ? { phase: "merged", merge: action.merge } : state;
    case "undo":
      return state.phase === "merged" || (state.phase === "failed" && state.during === "undo")
        ? { phase: "undoing", merge: state.merge }
        : state;
    case "undone":
      return state.phase === "undoing" ? { phase: "undone", merge: state.merge } : state;
    case "failed":
      if (state.phase === "merging") return { phase: "failed", during: "merge", message: action.message };
      if (state.phase === "undoing") return { phase: "failed", during: "undo", message: action.message, merge: state.merge };
      return state;
  }
}

/** Each candidate's merge, by the other contact's id. */
export type MergeStates = Readonly<Record<string, MergeState>>;

export function mergesReducer(states: MergeStates, { candidate, action }: { candidate: string; action: MergeAction }): MergeStates {
  const before = states[candidate] ?? IDLE;
  const after = mergeReducer(before, action);
  return after === before ? states : { ...states, [candidate]: after };
}

export function stateOf(states: MergeStates, candidate: string): MergeState {
  return states[candidate] ?? IDLE;
}

/** A call is under way: its buttons wait. */
export function isBusy(state: MergeState): boolean {
  return state.phase === "merging" || state.phase === "undoing";
}

/** The merge stands and may be undone. */
export function canUndo(state: MergeState): boolean {
  return state.phase === "merged" || (state.phase === "failed" && state.during === "undo");
}

/** The merges made on this page (standing, being undone or undone), for the "Merges" list. */
export function mergesMade(states: MergeStates): { candidate: string; state: MergeState & { merge: Merged } }[] {
  return Object.entries(states).flatMap(([candidate, state]) =>
    "merge" in state ? [{ candidate, state }] : [],
  );
}
