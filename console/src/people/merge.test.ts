import { describe, expect, it } from "vitest";
import { canUndo, IDLE, isBusy, mergeReducer, mergesMade, mergesReducer, stateOf, type MergeAction, type MergeState } from "./merge";
import type { Merged } from "./queries";

const merged: Merged = { merge_id: "mrg_1", into: "ct_kept", from: "ct_other", identities: 2, timeline_items: 5 };

function run(actions: MergeAction[], from: MergeState = IDLE): MergeState {
  return actions.reduce(mergeReducer, from);
}

describe("a candidate's merge", () => {
  it("asks, then merges, then undoes", () => {
    expect(run([{ type: "ask" }])).toEqual({ phase: "confirming" });
    expect(run([{ type: "ask" }, { type: "start" }])).toEqual({ phase: "merging" });
    const done = run([{ type: "ask" }, { type: "start" }, { type: "merged", merge: merged }]);
    expect(done).toEqual({ phase: "merged", merge: merged });
    expect(canUndo(done)).toBe(true);
    const undoing = mergeReducer(done, { type: "undo" });
    expect(undoing).toEqual({ phase: "undoing", merge: merged });
    expect(isBusy(undoing)).toBe(true);
    expect(mergeReducer(undoing, { type: "undone" })).toEqual({ phase: "undone", merge: merged });
  });

  it("is cancelled before anything is sent", () => {
    expect(run([{ type: "ask" }, { type: "cancel" }])).toEqual(IDLE);
  });

  it("never merges without the confirmation, nor twice at once", () => {
    expect(run([{ type: "start" }])).toEqual(IDLE);
    expect(run([{ type: "ask" }, { type: "start" }, { type: "ask" }])).toEqual({ phase: "merging" });
    expect(run([{ type: "ask" }, { type: "start" }, { type: "cancel" }])).toEqual({ phase: "merging" });
    expect(run([{ type: "merged", merge: merged }])).toEqual(IDLE);
  });

  it("says why a merge failed, and may be asked again", () => {
    const failed = run([{ type: "ask" }, { type: "start" }, { type: "failed", message: "that contact was already merged" }]);
    expect(failed).toEqual({ phase: "failed", during: "merge", message: "that contact was already merged" });
    expect(canUndo(failed)).toBe(false);
    expect(mergeReducer(failed, { type: "ask" })).toEqual({ phase: "confirming" });
  });

  it("keeps the merge when its undo fails, to try again", () => {
    const failed = run([{ type: "undo" }, { type: "failed", message: "unavailable" }], { phase: "merged", merge: merged });
    expect(failed).toEqual({ phase: "failed", during: "undo", message: "unavailable", merge: merged });
    expect(canUndo(failed)).toBe(true);
    expect(mergeReducer(failed, { type: "ask" })).toBe(failed);
    expect(mergeReducer(failed, { type: "undo" })).toEqual({ phase: "undoing", merge: merged });
  });

  it("may be merged again once undone", () => {
    expect(mergeReducer({ phase: "undone", merge: merged }, { type: "ask" })).toEqual({ phase: "confirming" });
  });
});

describe("the page's merges", () => {
  it("are kept per candidate, untouched when an action does not apply", () => {
    let states = mergesReducer({}, { candidate: "ct_a", action: { type: "ask" } });
    states = mergesReducer(states, { candidate: "ct_b", action: { type: "ask" } });
    states = mergesReducer(states, { candidate: "ct_a", action: { type: "start" } });
    expect(stateOf(states, "ct_a")).toEqual({ phase: "merging" });
    expect(stateOf(states, "ct_b")).toEqual({ phase: "confirming" });
    expect(stateOf(states, "ct_c")).toEqual(IDLE);
    expect(mergesReducer(states, { candidate: "ct_c", action: { type: "undo" } })).toBe(states);
  });

  it("list the merges made, standing or undone", () => {
    let states = mergesReducer({}, { candidate: "ct_a", action: { type: "ask" } });
    states = mergesReducer(states, { candidate: "ct_a", action: { type: "start" } });
    states = mergesReducer(states, { candidate: "ct_a", action: { type: "merged", merge: merged } });
    states = mergesReducer(states, { candidate: "ct_b", action: { type: "ask" } });
    expect(mergesMade(states).map(({ candidate, state }) => [candidate, state.phase])).toEqual([["ct_a", "merged"]]);
  });
});
