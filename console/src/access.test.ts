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

  it("lists for each staff group the screens its API routes allow, and nothing for a user in none", () => {
    const ids = (group: Parameters<typeof screensFor>[0][number]) => screensFor([group]).map((s) => s.id);
    expect(ids("liaison-admin")).toEqual([
      "inbox", "contacts", "campaigns", "reports", "callbacks", "referrals", "rules", "templates", "programmes", "sources", "endpoints",
    ]);
    expect(ids("liaison-support")).toEqual(["inbox", "contacts", "reports", "rules"]);
    expect(ids("liaison-sales")).toEqual(["inbox", "contacts", "reports", "callbacks", "referrals"]);
    expect(ids("liaison-marketer")).toEqual(["inbox", "campaigns", "reports", "referrals", "templates", "programmes"]);
    expect(screensFor([])).toEqual([]);
  });
});
