// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { resetSessionForTests } from "../auth/session";
import { json, renderConsole, type Respond } from "../test/render";
import type { Case, ContactWithTimeline, Opportunity, Question, Thread } from "./queries";

beforeAll(() => {
  // Recharts measures its container; jsdom has no layout.
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
});

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
    platform: "youtube",
    status: "open",
    opened_at: iso(Date.now() - 30 * MIN),
    text: "My order never arrived and nobody answers, this is unacceptable",
    permalink: "https://www.youtube.com/watch?v=abc&lc=1",
    priority: "P1",
    due_at: iso(Date.now() + 30 * MIN + 20_000),
    cues: ["incident:never arrived"],
    contact_id: "ct_1",
    contact_type: "prospect",
    notes: [{ text: "Called the courier", author: "sam@brand.example", at: iso(Date.now() - 10 * MIN) }],
    ...overrides,
  };
}

function aContact(overrides: Partial<ContactWithTimeline> = {}): ContactWithTimeline {
  return {
    id: "ct_1",
    profile: { contact_id: "ct_1", type: "prospect", contribution_score: 2, reach: 0, influence: 1.6, consent: { marketing: false } },
    identities: [
      {
        kind: "email",
        value: "dominique@example.com",
        verified: false,
        confidence: 0.5,
        provenance: { platform: "youtube", source_id: "src_1", event_id: "evt_1" },
        linked_at: iso(Date.now() - 40 * MIN),
      },
    ],
    merge_candidates: [],
    timeline: [
      { timeline_kind: "contributions", timeline_at: iso(Date.now() - 31 * MIN), id: "evt_1", platform: "youtube", contribution: { text: "My order never arrived" } },
      { timeline_kind: "contributions", timeline_at: iso(Date.now() - 3 * 24 * 60 * MIN), id: "evt_0", platform: "x", contribution: { text: "Love the new jacket" } },
      { timeline_kind: "cases", timeline_at: iso(Date.now() - 30 * MIN), id: "case_1", status: "open", text: "My order never arrived" },
    ],
    next: null,
    ...overrides,
  };
}

const emptyThread: Thread = {
  contribution: {
    id: "evt_1",
    platform: "youtube",
    source_id: "src_1",
    contact_id: "ct_1",
    text: "My order",
    permalink: null,
    created_at: iso(Date.now()),
    classification: { label: "incident", confidence: 0.9, cues: ["incident:never arrived"], source: "builtin" },
    correction: null,
  },
  answers: [],
  follow_ups: [],
  first_answered_at: null,
};

/** A fake API: `routes["METHOD /path"]` answers, else 404. */
function api(routes: Record<string, Respond>): Respond {
  return (request, body) => {
    const { pathname } = new URL(request.url);
    const route = routes[`${request.method} ${pathname}`];
    return route !== undefined ? route(request, body) : json({ error: { code: "not_found", message: "Not found." } }, 404);
  };
}

describe("a case's conversation", () => {
  function desk(overrides: Record<string, Respond> = {}) {
    let item = aCase();
    const changed = (change: Partial<Case>) => {
      item = { ...item, ...change };
      return json(item);
    };
    return renderConsole({
      groups: ["liaison-support"],
      email: "agent@brand.example",
      path: "/cases/case_1",
      respond: api({
        "GET /admin/cases/case_1": () => json(item),
        "GET /admin/cases/case_1/answers": () => json(emptyThread),
        "GET /admin/contacts/ct_1": () => json(aContact()),
        "POST /admin/cases/case_1/notes": (_r, body) =>
          changed({ notes: [...(item.notes ?? []), { text: (body as { text: string }).text, author: "agent", at: iso(Date.now()) }] }),
        "POST /admin/cases/case_1/assign": (_r, body) => changed({ assignee: (body as { assignee: string }).assignee }),
        "POST /admin/cases/case_1/close": (_r, body) =>
          changed({ status: "closed", closed_at: iso(Date.now()), closed_by: "agent", resolution: (body as { resolution?: string }).resolution }),
        ...overrides,
      }),
    });
  }

  it("shows the contribution in context: text, platform, link, priority, SLA, notes, author", async () => {
    desk();
    expect(await screen.findByRole("heading", { level: 1, name: "Case" })).toBeDefined();
    expect(await screen.findByText("My order never arrived and nobody answers, this is unacceptable")).toBeDefined();
    const link = screen.getByRole("link", { name: /See it on YouTube/ });
    expect(link.getAttribute("href")).toBe("https://www.youtube.com/watch?v=abc&lc=1");
    expect(link.getAttribute("rel")).toContain("noopener");
    expect(screen.getByText("P1")).toBeDefined();
    expect(screen.getByText("due in 30 min")).toBeDefined();
    expect(screen.getByText("Called the courier")).toBeDefined();
    const author = screen.getByRole("region", { name: "The author" });
    expect(await within(author).findByText("dominique@example.com", { selector: ".pp-author-name" })).toBeDefined();
    expect(within(author).getByText("Prospect")).toBeDefined();
    expect(within(author).getByText(/from YouTube · source src_1 · event evt_1/)).toBeDefined();
    // Its other contributions, not this one.
    expect(within(author).getByText("Love the new jacket")).toBeDefined();
    expect(within(author).queryByText("My order never arrived")).toBeNull();
    expect(within(author).getByRole("link", { name: "Open their contact page" }).getAttribute("href")).toBe("/contacts/ct_1");
    expect(screen.getByText("No answer yet.")).toBeDefined();
  });

  it("adds a note, assigns it, and closes it with a resolution", async () => {
    const user = userEvent.setup();
    const { requests } = desk();
    await screen.findByText("Called the courier");
    await user.type(screen.getByRole("textbox", { name: "New note" }), "Refund approved by finance");
    await user.click(screen.getByRole("button", { name: "Add the note" }));
    expect(await screen.findByText("Refund approved by finance")).toBeDefined();
    expect(screen.getByText("Note added.")).toBeDefined();
    expect((screen.getByRole("textbox", { name: "New note" }) as HTMLTextAreaElement).value).toBe("");

    await user.click(screen.getByRole("button", { name: "Assign to me" }));
    expect(await screen.findByText("Assigned to agent@brand.example.", { selector: "[role=status]" })).toBeDefined();

    await user.type(screen.getByRole("textbox", { name: "Resolution (private)" }), "Refunded in full");
    await user.click(screen.getByRole("button", { name: "Close the case" }));
    expect(await screen.findByText("The case is closed.")).toBeDefined();
    expect(screen.getByText("Refunded in full")).toBeDefined();

    const posts = requests.filter((r) => r.method === "POST").map((r) => [r.path, r.body]);
    expect(posts).toEqual([
      ["/admin/cases/case_1/notes", { text: "Refund approved by finance" }],
      ["/admin/cases/case_1/assign", { assignee: "agent@brand.example" }],
      ["/admin/cases/case_1/close", { resolution: "Refunded in full" }],
    ]);
  });

  it("closes with a message to the author, and says in the API's words why it could not", async () => {
    const user = userEvent.setup();
    const { requests } = desk({
      "POST /admin/cases/case_1/close": () =>
        json({ error: { code: "conflict", message: "source src_1 lacks the credentials to answer on youtube" } }, 409),
    });
    await screen.findByText("Called the courier");
    await user.click(screen.getByRole("checkbox", { name: "Also send the author a message" }));
    const message = screen.getByRole("group", { name: "Message to the author" });
    await user.click(within(message).getByRole("radio", { name: "Email" }));
    await user.type(within(message).getByRole("textbox", { name: "Answer" }), "We refunded you.");
    await user.type(within(message).getByRole("textbox", { name: "Hidden tags" }), "refund");
    await user.click(screen.getByRole("button", { name: "Close the case" }));
    expect((await screen.findByText(/lacks the credentials/)).textContent).toBe(
      "It was not closed. source src_1 lacks the credentials to answer on youtube",
    );
    expect(requests.find((r) => r.path === "/admin/cases/case_1/close")?.body).toEqual({
      message: { channel: "email", text: "We refunded you.", tags: { hidden: ["refund"] } },
    });
  });

  it("shows the thread's answers and sends a reply", async () => {
    const user = userEvent.setup();
    let answers: Thread["answers"] = [];
    const { requests } = desk({
      "GET /admin/cases/case_1/answers": () =>
        json({
          ...emptyThread,
          answers,
          follow_ups: answers.length > 0 ? [{ id: "evt_9", in_reply_to: "ans_1", text: "Thanks, received!", permalink: null, created_at: iso(Date.now()) }] : [],
        }),
      "POST /admin/cases/case_1/answers": (_r, body) => {
        const written = body as { channel: "public_reply"; text: string };
        answers = [
          {
            id: "ans_1",
            contribution_id: "evt_1",
            channel: written.channel,
            text: written.text,
            tags: { visible: ["delivery"] },
            author: "agent",
            created_at: iso(Date.now()),
            target: { source_id: "src_1", platform: "youtube", external_id: "x1", written_at: iso(Date.now()) },
            state: "queued",
            attempts: 0,
            updated_at: iso(Date.now()),
          },
        ];
        return json({ answer: answers[0] }, 202);
      },
    });
    await screen.findByText("No answer yet.");
    const reply = screen.getByRole("form", { name: "Answer the person" });
    await user.click(within(reply).getByRole("button", { name: "Send the answer" }));
    expect(within(reply).getByRole("alert").textContent).toBe("Write the answer first.");
    await user.type(within(reply).getByRole("textbox", { name: "Answer" }), "Sorry, a new parcel left today.");
    await user.type(within(reply).getByRole("textbox", { name: "Visible tags" }), "#Delivery");
    await user.click(within(reply).getByRole("button", { name: "Send the answer" }));
    expect(await screen.findByText("Answer queued: it is published in a moment.")).toBeDefined();
    expect(await screen.findByText("Sorry, a new parcel left today.", { selector: ".pp-answer-text" })).toBeDefined();
    expect(screen.getByText("Queued")).toBeDefined();
    expect(screen.getByText("Thanks, received!")).toBeDefined();
    expect(requests.find((r) => r.path === "/admin/cases/case_1/answers" && r.method === "POST")?.body).toEqual({
      channel: "public_reply",
      text: "Sorry, a new parcel left today.",
      tags: { visible: ["delivery"] },
    });
  });

  it("is not found for a group that may not read cases, and says why it could not load", async () => {
    renderConsole({ groups: ["liaison-marketer"], path: "/cases/case_1" });
    expect(await screen.findByRole("heading", { name: "Page not found" })).toBeDefined();
    cleanup();
    renderConsole({
      groups: ["liaison-support"],
      path: "/cases/case_9",
      respond: () => json({ error: { code: "not_found", message: "no such case" } }, 404),
    });
    expect((await screen.findByRole("alert")).textContent).toContain("This could not be loaded. no such case");
  });
});

describe("a question's conversation", () => {
  it("shows its owner, and a marketer sees no contact details (no call they may not make)", async () => {
    const question: Question = {
      ...aCase({ id: "qst_1", platform: "discourse" }),
      id: "qst_1",
      owner: "marketing",
      priority: "P3",
      due_at: iso(Date.now() + 5 * 60 * MIN),
    };
    const { requests } = renderConsole({
      groups: ["liaison-marketer"],
      path: "/questions/qst_1",
      respond: api({ "GET /admin/questions/qst_1": () => json(question) }),
    });
    expect(await screen.findByRole("heading", { level: 1, name: "Question" })).toBeDefined();
    expect(await screen.findByText("Marketing")).toBeDefined();
    const author = screen.getByRole("region", { name: "The author" });
    expect(within(author).getByText("Prospect")).toBeDefined();
    expect(requests.some((r) => r.path.startsWith("/admin/contacts"))).toBe(false);
    expect(screen.queryByRole("heading", { name: "Answers" })).toBeNull();
  });
});

describe("an opportunity's conversation", () => {
  it("sets the stage and amount, and closes won", async () => {
    const user = userEvent.setup();
    let item: Opportunity = { ...aCase({ id: "opp_1", platform: "meta" }), id: "opp_1", stage: undefined };
    const { requests } = renderConsole({
      groups: ["liaison-sales"],
      path: "/opportunities/opp_1",
      respond: api({
        "GET /admin/opportunities/opp_1": () => json(item),
        "GET /admin/contacts/ct_1": () => json(aContact()),
        "PATCH /admin/opportunities/opp_1": (_r, body) => {
          item = { ...item, ...(body as Partial<Opportunity>) };
          return json(item);
        },
        "POST /admin/opportunities/opp_1/close": (_r, body) => {
          item = { ...item, status: "closed", outcome: (body as { outcome: "won" }).outcome };
          return json(item);
        },
      }),
    });
    await screen.findByText("No stage yet");
    const deal = screen.getByRole("region", { name: "Deal" });
    await user.type(within(deal).getByRole("textbox", { name: "Stage" }), "negotiation");
    await user.type(within(deal).getByRole("textbox", { name: "Amount" }), "1250.50");
    await user.click(within(deal).getByRole("button", { name: "Save the deal" }));
    expect(within(deal).getByRole("alert").textContent).toBe("An amount goes with its currency: give the currency too.");
    await user.type(within(deal).getByRole("textbox", { name: "Currency" }), "eur");
    await user.click(within(deal).getByRole("button", { name: "Save the deal" }));
    expect(await within(deal).findByText("Deal saved.")).toBeDefined();
    expect(await screen.findByText("€1,250.50")).toBeDefined();

    await user.click(screen.getByRole("button", { name: "Close the opportunity" }));
    expect(screen.getByText("Say whether the opportunity was won or lost.")).toBeDefined();
    await user.click(screen.getByRole("radio", { name: "Won" }));
    await user.click(screen.getByRole("button", { name: "Close the opportunity" }));
    expect(await screen.findByText("The opportunity is closed.")).toBeDefined();
    expect(screen.getByText("Won")).toBeDefined();
    expect(requests.filter((r) => r.method !== "GET").map((r) => [r.method, r.path, r.body])).toEqual([
      ["PATCH", "/admin/opportunities/opp_1", { stage: "negotiation", amount: "1250.50", currency: "EUR" }],
      ["POST", "/admin/opportunities/opp_1/close", { outcome: "won" }],
    ]);
  });
});

describe("the contact search", () => {
  it("finds by email and links to the contact's page", async () => {
    const user = userEvent.setup();
    const { requests, router } = renderConsole({
      groups: ["liaison-sales"],
      path: "/contacts",
      respond: api({ "GET /admin/contacts": () => json(aContact()) }),
    });
    expect(await screen.findByRole("heading", { level: 1, name: "Contacts" })).toBeDefined();
    expect(screen.getByRole("link", { name: "Contacts" }).getAttribute("aria-current")).toBe("page");
    await user.click(screen.getByRole("button", { name: "Search" }));
    expect(screen.getByRole("alert").textContent).toBe("Type an email address.");
    await user.type(screen.getByRole("textbox", { name: "Email address" }), "Dominique@example.com");
    await user.click(screen.getByRole("button", { name: "Search" }));
    const found = await screen.findByRole("link", { name: "dominique@example.com" });
    expect(found.getAttribute("href")).toBe("/contacts/ct_1");
    expect(requests.at(-1)).toMatchObject({ path: "/admin/contacts", query: { email: "Dominique@example.com" } });
    expect(router.state.location.search).toBe("?email=Dominique%40example.com");
  });

  it("finds by a Standard Webhooks source's handle, and says when nobody has it", async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({
      groups: ["liaison-support"],
      path: "/contacts",
      respond: () => json({ error: { code: "not_found", message: "no contact with this identity" } }, 404),
    });
    await user.click(await screen.findByRole("radio", { name: "Handle" }));
    await user.selectOptions(screen.getByRole("combobox", { name: "Platform" }), "standard-webhooks");
    await user.type(screen.getByRole("textbox", { name: "Source id (Standard Webhooks)" }), "src_1");
    await user.type(screen.getByRole("textbox", { name: "Handle on the platform" }), "dom");
    await user.click(screen.getByRole("button", { name: "Search" }));
    expect(await screen.findByText("No contact found. no contact with this identity")).toBeDefined();
    expect(requests.at(-1)?.query).toEqual({ platform: "standard-webhooks@src_1", handle: "dom" });
  });
});

describe("a contact's page", () => {
  it("shows identities, type, scores and timeline; pages with `before`; edits the type", async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({
      groups: ["liaison-support"],
      path: "/contacts/ct_1",
      respond: api({
        "GET /admin/contacts/ct_1": (request) =>
          new URL(request.url).searchParams.get("before") === "2026-01-01T00:00:00Z"
            ? json(aContact({ timeline: [{ timeline_kind: "emails", timeline_at: "2025-12-31T10:00:00Z", id: "eml_1", subject: "Please confirm your email" }], next: null }))
            : json(aContact({ next: "2026-01-01T00:00:00Z" })),
        "PATCH /admin/contacts/ct_1": (_r, body) => json({ ...aContact(), profile: { type: (body as { type: "customer" }).type } }),
      }),
    });
    expect(await screen.findByRole("heading", { level: 1, name: "dominique@example.com" })).toBeDefined();
    expect(screen.getByText("Contact id: ct_1")).toBeDefined();
    expect(screen.getByText("1.6 out of 100")).toBeDefined();
    expect(screen.getByText("Refused")).toBeDefined();
    const timeline = screen.getByRole("region", { name: "Timeline" });
    expect(within(timeline).getByRole("link", { name: "Open this case" }).getAttribute("href")).toBe("/cases/case_1");
    await user.click(within(timeline).getByRole("button", { name: "Show older" }));
    expect(await within(timeline).findByText("Please confirm your email")).toBeDefined();
    expect(requests.at(-1)?.query).toEqual({ before: "2026-01-01T00:00:00Z" });
    expect(within(timeline).queryByRole("button", { name: "Show older" })).toBeNull();

    // Not an admin: no export, no erasure, no merge.
    expect(screen.queryByRole("button", { name: "Download the export" })).toBeNull();
    expect(screen.queryByRole("heading", { name: "Erase this contact" })).toBeNull();

    const save = screen.getByRole("button", { name: "Save the type" });
    expect(save.hasAttribute("disabled")).toBe(true);
    await user.selectOptions(screen.getByRole("combobox", { name: "What they are to the brand" }), "customer");
    await user.click(save);
    expect(await screen.findByText("Type saved.")).toBeDefined();
    expect(requests.find((r) => r.method === "PATCH")?.body).toEqual({ type: "customer" });
  });

  it("shows the reach with what it was measured from and when", async () => {
    const measured = aContact({
      profile: {
        contact_id: "ct_1",
        type: "prospect",
        reach: 84.65,
        reach_basis: "youtube subscribers 120000",
        reach_at: "2026-11-23T10:00:00Z",
        influence: 86.2,
      },
    });
    renderConsole({
      groups: ["liaison-support"],
      path: "/contacts/ct_1",
      respond: api({ "GET /admin/contacts/ct_1": () => json(measured) }),
    });
    expect(await screen.findByText("youtube subscribers 120000")).toBeDefined();
    expect(screen.getByText("84.7")).toBeDefined();
    expect(screen.getByText("Reach measured from")).toBeDefined();
    expect(screen.getByText("Reach measured on")).toBeDefined();
  });

  it("merges a candidate, then undoes the merge", async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({
      groups: ["liaison-admin"],
      path: "/contacts/ct_1",
      respond: api({
        "GET /admin/contacts/ct_1": () =>
          json(aContact({ merge_candidates: [{ other_contact_id: "ct_2", event_id: "evt_5", created_at: iso(Date.now()) }] })),
        "POST /admin/contacts/ct_1/merge": () => json({ merge_id: "mrg_1", into: "ct_1", from: "ct_2", identities: 1, timeline_items: 3 }),
        "POST /admin/contacts/ct_1/merges/mrg_1/undo": () => json({ undone: "mrg_1", from: "ct_2", into: "ct_1" }),
      }),
    });
    await user.click(await screen.findByRole("button", { name: "Merge ct_2 into this contact…" }));
    const confirm = screen.getByRole("group", { name: "Merging ct_2" });
    expect(within(confirm).getByText("Merge ct_2 into ct_1? Its identities and timeline move here.")).toBeDefined();
    await user.click(within(confirm).getByRole("button", { name: "Merge" }));
    expect(await screen.findByText("ct_2 merged into this contact: 1 identities and 3 timeline items moved.")).toBeDefined();
    await user.click(screen.getByRole("button", { name: "Undo the merge of ct_2" }));
    expect(await screen.findByText("The merge of ct_2 was undone.", { selector: ".item-text" })).toBeDefined();
    expect(requests.filter((r) => r.method === "POST").map((r) => [r.path, r.body])).toEqual([
      ["/admin/contacts/ct_1/merge", { from: "ct_2" }],
      ["/admin/contacts/ct_1/merges/mrg_1/undo", undefined],
    ]);
  });

  it("erases after the typed confirmation, calling again on 202 until 204", async () => {
    const user = userEvent.setup();
    let deletes = 0;
    const { requests, router } = renderConsole({
      groups: ["liaison-admin"],
      path: "/contacts/ct_1",
      respond: api({
        "GET /admin/contacts/ct_1": () => json(aContact()),
        "DELETE /admin/contacts/ct_1": () =>
          ++deletes < 3
            ? json({ complete: false, deleted: 500, message: "more remains: call DELETE again to continue" }, 202)
            : new Response(null, { status: 204 }),
      }),
    });
    const erase = await screen.findByRole("region", { name: "Erase this contact" });
    const button = within(erase).getByRole("button", { name: "Erase permanently" });
    const field = within(erase).getByRole("textbox", { name: "Type the contact's id or email to confirm" });
    expect(button.hasAttribute("disabled")).toBe(true);
    await user.type(field, "ct_");
    expect(button.hasAttribute("disabled")).toBe(true);
    await user.clear(field);
    await user.type(field, "DOMINIQUE@example.com");
    expect(button.hasAttribute("disabled")).toBe(false);
    await user.click(button);
    expect(await screen.findByText("Contact ct_1 was erased.")).toBeDefined();
    expect(router.state.location.pathname).toBe("/contacts");
    expect(requests.filter((r) => r.method === "DELETE")).toHaveLength(3);
  });

  it("says why an erasure stopped", async () => {
    const user = userEvent.setup();
    renderConsole({
      groups: ["liaison-admin"],
      path: "/contacts/ct_1",
      respond: api({
        "GET /admin/contacts/ct_1": () => json(aContact()),
        "DELETE /admin/contacts/ct_1": () => json({ error: { code: "unavailable", message: "Try again in a moment." } }, 503),
      }),
    });
    const erase = await screen.findByRole("region", { name: "Erase this contact" });
    await user.type(within(erase).getByRole("textbox"), "ct_1");
    await user.click(within(erase).getByRole("button", { name: "Erase permanently" }));
    expect((await within(erase).findByRole("alert")).textContent).toBe("The erasure stopped. Try again in a moment.");
  });
});

describe("the reports", () => {
  const countReport = (by: string) =>
    by === "day"
      ? { by, from: "2026-12-01", to: "2026-12-03", total: 2, groups: [{ key: "2026-12-02", count: 2 }] }
      : { by, from: "2026-12-01", to: "2026-12-03", total: 3, groups: [{ key: by === "platform" ? "youtube" : "incident", count: 3 }], series: [] };
  const reports = api({
    "GET /admin/reports/contributions": (request) => json(countReport(new URL(request.url).searchParams.get("by") ?? "day")),
    "GET /admin/reports/answers": () => json({ by: "channel", from: "2026-12-01", to: "2026-12-03", total: 0, groups: [] }),
    "GET /admin/reports/response-times": () =>
      json({ cases: 4, first_answer: { count: 3, median_minutes: 30, p90_minutes: 90 }, close: { count: 1, median_minutes: 120, p90_minutes: 120 }, from: "2026-12-01", to: "2026-12-03" }),
    "GET /admin/reports/revenue": () =>
      json({
        from: "2026-12-01",
        to: "2026-12-03",
        opportunities: { won: 2, won_without_amount: 0, revenue: { EUR: "1500", USD: "200" }, by_week: { "2026-W49": { EUR: "1500", USD: "200" } }, by_platform: {}, by_source: {} },
        relaunch: { campaigns: 0, revenue: {}, orders: "0", emails_sent: "0", since: "" },
        referrals: { orders: 0, flagged: 0, revenue: {}, rewards: {}, by_week: {} },
        cost: { answers_published: 0, cases: { cases: 0, first_answer: { count: 0, median_minutes: null, p90_minutes: null }, close: { count: 0, median_minutes: null, p90_minutes: null }, from: "2026-12-01", to: "2026-12-03" } },
        currencies_never_added: true,
      }),
  });

  it("asks for the range and shows each report as a table, each currency apart", async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({ groups: ["liaison-marketer"], path: "/reports?from=2026-12-01&to=2026-12-03", respond: reports });
    expect(await screen.findByRole("heading", { level: 1, name: "Reports" })).toBeDefined();
    const contributions = await screen.findByRole("table", { name: "Contributions by platform" });
    expect(within(contributions).getByRole("rowheader", { name: "YouTube" })).toBeDefined();
    expect(within(contributions).getAllByRole("cell", { name: "3" })).toHaveLength(2);
    const response = await screen.findByRole("table", { name: "Time to the first answer and to close" });
    expect(within(response).getByRole("cell", { name: "30 min" })).toBeDefined();
    expect(within(response).getByRole("cell", { name: "1 h 30 min" })).toBeDefined();
    expect(within(response).getAllByRole("cell", { name: "2 h" })).toHaveLength(2);
    expect(await screen.findByText("No answers published in these dates.")).toBeDefined();
    const totals = await screen.findByRole("table", { name: "Revenue per currency" });
    expect(within(totals).getByRole("cell", { name: "€1,500.00" })).toBeDefined();
    expect(within(totals).getByRole("cell", { name: "$200.00" })).toBeDefined();
    expect(screen.getByRole("table", { name: "Revenue per week, in EUR" })).toBeDefined();
    expect(screen.getByRole("table", { name: "Revenue per week, in USD" })).toBeDefined();
    for (const path of ["/admin/reports/contributions", "/admin/reports/answers", "/admin/reports/response-times", "/admin/reports/revenue"]) {
      expect(requests.find((r) => r.path === path)?.query).toMatchObject({ from: "2026-12-01", to: "2026-12-03" });
    }

    await user.click(screen.getByRole("radio", { name: "Day" }));
    const byDay = await screen.findByRole("table", { name: "Contributions by day" });
    // Every day of the range, a quiet one as 0.
    expect(within(byDay).getAllByRole("row")).toHaveLength(1 + 3 + 1);
  });

  it("defaults to the last 30 days, refuses a reversed range, and speaks French", async () => {
    const user = userEvent.setup();
    const { requests, router } = renderConsole({ groups: ["liaison-sales"], path: "/reports", respond: reports, language: "fr" });
    expect(await screen.findByRole("heading", { level: 1, name: "Rapports" })).toBeDefined();
    await waitFor(() => expect(requests.some((r) => r.path === "/admin/reports/revenue")).toBe(true));
    const asked = requests.find((r) => r.path === "/admin/reports/revenue")?.query ?? {};
    expect((Date.parse(`${asked.to}T00:00:00Z`) - Date.parse(`${asked.from}T00:00:00Z`)) / 86_400_000).toBe(29);
    const from = screen.getByLabelText("Du");
    await user.clear(from);
    await user.type(from, "2099-01-01");
    await user.click(screen.getByRole("button", { name: "Afficher" }));
    expect(screen.getByText("Le dernier jour précède le premier.")).toBeDefined();
    const to = screen.getByLabelText("Au");
    await user.clear(to);
    await user.type(to, "2099-01-31");
    await user.click(screen.getByRole("button", { name: "Afficher" }));
    await waitFor(() => expect(router.state.location.search).toBe("?from=2099-01-01&to=2099-01-31"));
  });
});
