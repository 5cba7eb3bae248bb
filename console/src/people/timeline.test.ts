import { describe, expect, it } from "vitest";
import type { TimelineEntry } from "./queries";
import { entryPath, entryState, entryText, pastContributions } from "./timeline";

const contribution: TimelineEntry = {
  timeline_kind: "contributions",
  timeline_at: "2026-12-07T09:00:00Z",
  id: "evt_1",
  platform: "youtube",
  contribution: { text: "Where is my order?" },
};

describe("timeline entries", () => {
  it("say what they are about", () => {
    expect(entryText(contribution)).toBe("Where is my order?");
    expect(entryText({ timeline_kind: "emails", timeline_at: null, subject: "Please confirm" })).toBe("Please confirm");
    expect(entryText({ timeline_kind: "cases", timeline_at: null, text: "Broken" })).toBe("Broken");
    expect(entryText({ timeline_kind: "carts", timeline_at: null })).toBeUndefined();
    expect(entryState({ timeline_kind: "carts", timeline_at: null, cart_status: "converted" })).toBe("converted");
    expect(entryState({ timeline_kind: "cases", timeline_at: null, status: "open" })).toBe("open");
  });

  it("lead to the conversation of a case, question or opportunity", () => {
    expect(entryPath({ timeline_kind: "cases", timeline_at: null, id: "case_1" })).toBe("/cases/case_1");
    expect(entryPath({ timeline_kind: "questions", timeline_at: null, id: "qst_1" })).toBe("/questions/qst_1");
    expect(entryPath({ timeline_kind: "opportunities", timeline_at: null, id: "opp_1" })).toBe("/opportunities/opp_1");
    expect(entryPath({ timeline_kind: "emails", timeline_at: null, id: "eml_1" })).toBeUndefined();
  });

  it("give the other contributions of the author", () => {
    const other: TimelineEntry = { ...contribution, id: "evt_2", contribution: { text: "Thanks!" } };
    const email: TimelineEntry = { timeline_kind: "emails", timeline_at: null, id: "eml_1" };
    expect(pastContributions([contribution, email, other], "evt_1")).toEqual([
      { id: "evt_2", platform: "youtube", text: "Thanks!", at: "2026-12-07T09:00:00Z" },
    ]);
  });
});
