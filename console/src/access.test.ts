import { describe, expect, it } from "vitest";
import { inboxTabsFor, screensFor } from "./access";

describe("what each group may use", () => {
  it("gives each group the inbox tabs its API routes allow", () => {
    expect(inboxTabsFor(["liaison-admin"])).toEqual(["cases", "questions", "opportunities", "moderation"]);
    expect(inboxTabsFor(["liaison-support"])).toEqual(["cases", "questions", "moderation"]);
    expect(inboxTabsFor(["liaison-sales"])).toEqual(["opportunities"]);
    expect(inboxTabsFor(["liaison-marketer"])).toEqual(["questions"]);
    expect(inboxTabsFor(["liaison-sales", "liaison-marketer"])).toEqual(["questions", "opportunities"]);
    expect(inboxTabsFor([])).toEqual([]);
  });

  it("lists the inbox for every staff group and nothing for a user in none", () => {
    for (const group of ["liaison-admin", "liaison-support", "liaison-sales", "liaison-marketer"] as const) {
      expect(screensFor([group]).map((s) => s.id)).toEqual(["inbox"]);
    }
    expect(screensFor([])).toEqual([]);
  });
});
