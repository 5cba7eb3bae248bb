// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { resetSessionForTests } from "../auth/session";
import { json, renderConsole } from "../test/render";
import { REFRESH_MS, type Case, type Contribution, type Opportunity, type Question } from "./queries";
import { shortcutFor } from "./ModerationPanel";

/** The items of the list in the selected tab. */
async function listItems() {
  return within(await screen.findByRole("tabpanel")).findAllByRole("listitem");
}

afterEach(() => {
  cleanup();
  resetSessionForTests();
});

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

function aCase(overrides: Partial<Case> = {}): Case {
  return {
    id: "case_1",
    event_id: "evt_1",
    source_id: "src_1",
    platform: "wordpress",
    status: "open",
    opened_at: iso(Date.now() - 30 * MIN),
    text: "My order #1234 never arrived\nI paid two weeks ago and still nothing.",
    priority: "P2",
    due_at: iso(Date.now() + 130 * MIN + 20_000),
    cues: ["incident:order number"],
    assignee: "sam@brand.example",
    ...overrides,
  };
}

function aQuestion(overrides: Partial<Question> = {}): Question {
  return {
    id: "q_1",
    event_id: "evt_2",
    source_id: "src_1",
    platform: "discourse",
    status: "open",
    opened_at: iso(Date.now()),
    text: "Does the jacket come in XL?",
    owner: "marketing",
    priority: "P3",
    due_at: iso(Date.now() - 5 * MIN - 10_000),
    ...overrides,
  };
}

function anOpportunity(overrides: Partial<Opportunity> = {}): Opportunity {
  return {
    id: "opp_1",
    event_id: "evt_3",
    source_id: "src_1",
    platform: "meta",
    status: "open",
    opened_at: iso(Date.now()),
    text: "I'd like 40 of these for my team",
    stage: "qualified",
    amount: "1250.50",
    currency: "EUR",
    ...overrides,
  };
}

function aContribution(id: string, text: string): Contribution {
  return {
    id,
    source_id: "src_1",
    platform: "youtube",
    received_at: iso(Date.now() - MIN),
    classified_at: iso(Date.now() - MIN),
    classification: { label: "incident", confidence: 0.9, cues: [] },
    contribution: {
      action: "created",
      kind: "comment",
      external_id: `x-${id}`,
      author: { name: `Author of ${id}` },
      text,
      created_at: iso(Date.now() - 2 * MIN),
      moderation: "pending",
    },
  };
}

describe("the cases tab", () => {
  it("lists priority, SLA countdown, platform, assignee and the text's first line", async () => {
    const { requests, queryClient } = renderConsole({
      groups: ["liaison-support"],
      respond: () => json({ cases: [aCase(), aCase({ id: "case_2", assignee: undefined, due_at: iso(Date.now() - 5 * MIN - 30_000) })], next: null }),
    });
    const items = await listItems();
    const first = items[0]!;
    expect(within(first).getByText("My order #1234 never arrived")).toBeDefined();
    expect(within(first).queryByText(/I paid two weeks ago/)).toBeNull();
    expect(within(first).getByText("P2")).toBeDefined();
    expect(within(first).getByText("due in 2 h 10 min")).toBeDefined();
    expect(within(first).getByText("WordPress")).toBeDefined();
    expect(within(first).getByText("sam@brand.example")).toBeDefined();
    expect(within(items[1]!).getByText("late by 5 min")).toBeDefined();
    expect(within(items[1]!).getByText("Unassigned")).toBeDefined();
    expect(requests[0]).toMatchObject({ method: "GET", path: "/admin/cases", query: { status: "open", limit: "50" } });
    // New items appear without a reload: the list refetches every 15 seconds.
    const query = queryClient.getQueryCache().find({ queryKey: ["cases", { status: "open" }] });
    expect(query?.observers[0]?.options.refetchInterval).toBe(REFRESH_MS);
    expect(REFRESH_MS).toBe(15_000);
  });

  it("filters by status", async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({
      groups: ["liaison-support"],
      respond: (request) =>
        new URL(request.url).searchParams.get("status") === "closed"
          ? json({ cases: [], next: null })
          : json({ cases: [aCase()], next: null }),
    });
    await screen.findByText("My order #1234 never arrived");
    await user.click(screen.getByRole("radio", { name: "Closed" }));
    expect(await screen.findByText("No closed cases.")).toBeDefined();
    expect(requests.at(-1)?.query.status).toBe("closed");
  });

  it("says in words why the list could not be loaded, and retries on demand", async () => {
    const user = userEvent.setup();
    let answer = () => json({ message: "Forbidden" }, 403);
    renderConsole({ groups: ["liaison-support"], respond: () => answer() });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("The list could not be loaded. Forbidden");
    answer = () => json({ cases: [], next: null });
    await user.click(within(alert).getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("No open cases.")).toBeDefined();
  });

  it("pages with the API's cursor", async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({
      groups: ["liaison-support"],
      respond: (request) =>
        new URL(request.url).searchParams.get("after") === "cursor-2"
          ? json({ cases: [aCase({ id: "case_9", text: "The second page" })], next: null })
          : json({ cases: [aCase()], next: "cursor-2" }),
    });
    await user.click(await screen.findByRole("button", { name: "Show more" }));
    expect(await screen.findByText("The second page")).toBeDefined();
    expect(requests.at(-1)?.query.after).toBe("cursor-2");
    expect(screen.queryByRole("button", { name: "Show more" })).toBeNull();
  });
});

describe("the questions tab", () => {
  it("shows owner, priority, SLA and text, in French too, and filters by owner", async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({
      groups: ["liaison-marketer"],
      language: "fr",
      respond: () => json({ questions: [aQuestion()], next: null }),
    });
    const item = (await listItems())[0]!;
    expect(within(item).getByText("Does the jacket come in XL?")).toBeDefined();
    expect(within(item).getByText("Marketing")).toBeDefined();
    expect(within(item).getByText("P3")).toBeDefined();
    expect(within(item).getByText("en retard de 5 min")).toBeDefined();
    // A marketer starts with marketing's questions.
    expect(requests[0]?.query.owner).toBe("marketing");
    await user.click(screen.getByRole("radio", { name: "Toutes" }));
    await waitFor(() => expect(requests.at(-1)?.query.owner).toBeUndefined());
  });
});

describe("the opportunities tab", () => {
  it("shows platform, stage, amount in its currency and text", async () => {
    renderConsole({
      groups: ["liaison-sales"],
      respond: () => json({ opportunities: [anOpportunity(), anOpportunity({ id: "opp_2", stage: undefined, amount: undefined })], next: null }),
    });
    const items = await listItems();
    expect(within(items[0]!).getByText("Meta")).toBeDefined();
    expect(within(items[0]!).getByText("qualified")).toBeDefined();
    expect(within(items[0]!).getByText("€1,250.50")).toBeDefined();
    expect(within(items[1]!).getByText("No stage yet")).toBeDefined();
    expect(within(items[1]!).getByText("No amount yet")).toBeDefined();
  });
});

describe("held contributions", () => {
  function heldDesk() {
    let held = [aContribution("evt_1", "First held comment"), aContribution("evt_2", "Second held comment")];
    return renderConsole({
      groups: ["liaison-support"],
      path: "/inbox?tab=moderation",
      respond: (request, body) => {
        const { pathname } = new URL(request.url);
        if (request.method === "PUT") {
          const id = pathname.split("/").at(-1) ?? "";
          const decision = (body as { decision: string }).decision;
          if (decision !== "hold") held = held.filter((c) => c.id !== id);
          return json({
            id,
            moderation: { decision, reasons: [], decided_at: iso(Date.now()), decided_by: "camille" },
            callback_queued: true,
          });
        }
        return json({ contributions: held, next: null });
      },
    });
  }

  it("announces the keyboard shortcuts", async () => {
    heldDesk();
    const row = await screen.findByRole("article", { name: "Held contribution from Author of evt_1 on YouTube" });
    expect(row.getAttribute("aria-keyshortcuts")).toBe("A S H");
    const hint = document.getElementById(row.getAttribute("aria-describedby") ?? "");
    expect(hint?.textContent).toContain("press A to approve, S to mark as spam, H to keep it held");
  });

  it("approves the focused item with A, then refreshes the list and keeps focus on the next", async () => {
    const user = userEvent.setup();
    const { requests } = heldDesk();
    const row = await screen.findByRole("article", { name: /Author of evt_1/ });
    row.focus();
    await user.keyboard("a");
    await waitFor(() => expect(screen.queryByText("First held comment")).toBeNull());
    expect(requests.filter((r) => r.method === "PUT")).toEqual([
      {
        method: "PUT",
        path: "/admin/moderation/evt_1",
        query: {},
        body: { decision: "approve" },
        authorization: expect.stringMatching(/^Bearer /) as unknown as string,
      },
    ]);
    expect(requests.filter((r) => r.method === "GET").length).toBeGreaterThanOrEqual(2);
    expect(screen.getByText("Approved: First held comment")).toBeDefined();
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByRole("article", { name: /Author of evt_2/ })),
    );
  });

  it("marks as spam with S and keeps held with H", async () => {
    const user = userEvent.setup();
    const { requests } = heldDesk();
    const second = await screen.findByRole("article", { name: /Author of evt_2/ });
    second.focus();
    await user.keyboard("h");
    await screen.findByText("Kept held: Second held comment");
    second.focus();
    await user.keyboard("s");
    await waitFor(() => expect(screen.queryByText("Second held comment")).toBeNull());
    expect(requests.filter((r) => r.method === "PUT").map((r) => [r.path, r.body])).toEqual([
      ["/admin/moderation/evt_2", { decision: "hold" }],
      ["/admin/moderation/evt_2", { decision: "spam" }],
    ]);
  });

  it("decides by button too, with the reason typed (where letters are not shortcuts)", async () => {
    const user = userEvent.setup();
    const { requests } = heldDesk();
    const row = await screen.findByRole("article", { name: /Author of evt_1/ });
    await user.type(within(row).getByRole("textbox", { name: "Reason (optional)" }), "has a phone number");
    expect(requests.filter((r) => r.method === "PUT")).toEqual([]);
    await user.click(within(row).getByRole("button", { name: "Spam" }));
    await waitFor(() => expect(requests.filter((r) => r.method === "PUT").length).toBe(1));
    expect(requests.find((r) => r.method === "PUT")?.body).toEqual({ decision: "spam", reason: "has a phone number" });
  });

  it("shows why a decision failed, in the API's words", async () => {
    const user = userEvent.setup();
    renderConsole({
      groups: ["liaison-admin"],
      path: "/inbox?tab=moderation",
      respond: (request) =>
        request.method === "PUT"
          ? json({ error: { code: "conflict", message: "The decision changed meanwhile." } }, 409)
          : json({ contributions: [aContribution("evt_1", "A held comment")], next: null }),
    });
    const row = await screen.findByRole("article", { name: /Author of evt_1/ });
    await user.click(within(row).getByRole("button", { name: "Approve" }));
    expect((await within(row).findByRole("alert")).textContent).toBe(
      "The decision was not saved. The decision changed meanwhile.",
    );
  });

  it("says so when nothing is held", async () => {
    renderConsole({
      groups: ["liaison-support"],
      path: "/inbox?tab=moderation",
      respond: () => json({ contributions: [], next: null }),
    });
    expect(await screen.findByText("No held contributions.")).toBeDefined();
  });

  it("ignores keys typed with a modifier or into a field", () => {
    const input = document.createElement("input");
    const div = document.createElement("div");
    const key = (k: string, target: EventTarget, mods: Partial<Record<"ctrlKey" | "metaKey" | "altKey", boolean>> = {}) =>
      shortcutFor({ key: k, target, ctrlKey: false, metaKey: false, altKey: false, ...mods });
    expect(key("a", div)).toBe("approve");
    expect(key("S", div)).toBe("spam");
    expect(key("h", div)).toBe("hold");
    expect(key("x", div)).toBeNull();
    expect(key("a", input)).toBeNull();
    expect(key("a", div, { ctrlKey: true })).toBeNull();
    expect(key("s", div, { metaKey: true })).toBeNull();
  });
});
