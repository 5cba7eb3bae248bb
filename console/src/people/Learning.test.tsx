// @vitest-environment jsdom
// Learning from staff in the people area: a conversation's label (what decided it, the
// correction, Relabel), a close saying what it really was, and the classifier measured on
// staff's corrections in the reports.
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { resetSessionForTests } from "../auth/session";
import { json, renderConsole, type Respond } from "../test/render";
import type { Case, ContactWithTimeline, CorrectionsReport, Opportunity, Question, Thread } from "./queries";

type Correction = NonNullable<Thread["contribution"]["correction"]>;

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
const AT = "2026-03-02T10:00:00Z";

function aCase(overrides: Partial<Case> = {}): Case {
  return {
    id: "case_1",
    event_id: "evt_1",
    source_id: "src_1",
    platform: "youtube",
    status: "open",
    opened_at: iso(Date.now() - 30 * MIN),
    text: "Wow, the parcel came a day early",
    label: "incident",
    priority: "P2",
    due_at: iso(Date.now() + 60 * MIN),
    cues: ["incident:parcel"],
    contact_id: "ct_1",
    contact_type: "customer",
    ...overrides,
  };
}

function aContact(entry: Record<string, unknown> = {}): ContactWithTimeline {
  return {
    id: "ct_1",
    profile: { contact_id: "ct_1", type: "customer", contribution_score: 1, reach: 0, influence: 1, consent: { marketing: false } },
    identities: [],
    merge_candidates: [],
    timeline: [
      {
        timeline_kind: "contributions",
        timeline_at: iso(Date.now() - 31 * MIN),
        id: "evt_1",
        platform: "youtube",
        contribution: { text: "Wow, the parcel came a day early" },
        classification: { label: "incident", confidence: 1, cues: ["rule:r1"], source: "rule" },
        ...entry,
      },
    ],
    next: null,
  };
}

/** A thread without answers: its contribution decided by a rule of the brand's, not corrected. */
function aThread(contribution: Partial<Thread["contribution"]> = {}): Thread {
  return {
    contribution: {
      id: "evt_1",
      platform: "youtube",
      source_id: "src_1",
      contact_id: "ct_1",
      text: "Wow",
      permalink: null,
      created_at: AT,
      classification: { label: "incident", confidence: 1, cues: ["rule:r1"], source: "rule" },
      correction: null,
      ...contribution,
    },
    answers: [],
    follow_ups: [],
    first_answered_at: null,
  };
}
const emptyThread = aThread();

/** What the author's timeline says of the same contribution, unlike its thread: never shown. */
const staleEntry = {
  classification: { label: "incident", confidence: 0.4, cues: [], source: "hosted" },
  correction: { label: "spam", was: "incident", was_source: "hosted", how: "moderation", by: "sub-9", at: AT },
};

/** The first look at a lazily loaded page: its chunk (and the charts') may take a while on a busy machine. */
const LOADING = { timeout: 10_000 };

/** A fake API: `routes["METHOD /path"]` answers, else 404. */
function api(routes: Record<string, Respond>): Respond {
  return (request, body) => {
    const { pathname } = new URL(request.url);
    const route = routes[`${request.method} ${pathname}`];
    return route !== undefined ? route(request, body) : json({ error: { code: "not_found", message: "Not found." } }, 404);
  };
}

async function pick(user: ReturnType<typeof userEvent.setup>, field: RegExp, option: string) {
  await user.click(await screen.findByRole("button", { name: field }));
  await user.click(await screen.findByRole("option", { name: option }));
}

/** The value of an item's field (`<dt>` then `<dd>`), or null when it has no such field. */
function field(container: HTMLElement, name: string): string | null {
  const term = [...container.querySelectorAll("dt")].find((dt) => dt.textContent === name);
  return term?.nextElementSibling?.textContent ?? null;
}

const posts = (requests: { method: string; path: string; body: unknown }[]) =>
  requests.filter((r) => r.method === "POST").map((r) => [r.path, r.body]);

describe("a conversation's label", () => {
  it("says what decided it from the case's thread, is relabelled, and shows the correction; the thread is refreshed", async () => {
    const user = userEvent.setup();
    let correction: Correction | null = null;
    const { requests } = renderConsole({
      groups: ["liaison-support"],
      path: "/cases/case_1",
      respond: api({
        "GET /admin/cases/case_1": () => json(aCase()),
        "GET /admin/cases/case_1/answers": () => json(aThread({ correction })),
        // The author's timeline says otherwise: the view reads the thread.
        "GET /admin/contacts/ct_1": () => json(aContact(staleEntry)),
        "POST /admin/contributions/evt_1/label": (_r, body) => {
          correction = { label: (body as { label: Correction["label"] }).label, was: "incident", was_source: "rule", how: "relabel", by: "sub-1", at: AT };
          return json({ id: "evt_1", correction });
        },
      }),
    });
    const contribution = await screen.findByRole("region", { name: "What the person wrote" }, LOADING);
    expect(await within(contribution).findByText("A rule of yours")).toBeDefined();
    expect(field(contribution, "Label")).toBe("Incident");
    expect(field(contribution, "Decided by")).toBe("A rule of yours");
    // The author's card has read the timeline, whose correction is not shown.
    const author = screen.getByRole("region", { name: "The author" });
    expect(await within(author).findByRole("link", { name: "Open their contact page" })).toBeDefined();
    expect(field(contribution, "Corrected")).toBeNull();
    const threadReads = () => requests.filter((r) => r.method === "GET" && r.path === "/admin/cases/case_1/answers").length;
    // One read for the label and the answers below.
    expect(threadReads()).toBe(1);
    await pick(user, /What is it really\?/, "Praise");
    await user.click(within(contribution).getByRole("button", { name: "Relabel" }));
    expect(await within(contribution).findByText("Relabelled: Praise.")).toBeDefined();
    expect(field(contribution, "Corrected")).toMatch(/^Liaison said Incident; your team said Praise\. \(relabelled, .+\)$/);
    expect(posts(requests)).toEqual([["/admin/contributions/evt_1/label", { label: "praise" }]]);
    await waitFor(() => expect(threadReads()).toBe(2));
    expect(field(contribution, "Corrected")).toMatch(/^Liaison said Incident; your team said Praise\./);
  });

  it("shows an opportunity's classification and correction from its contribution's thread, not the timeline", async () => {
    const item: Opportunity = { ...aCase({ id: "opp_1", label: "purchase_intent" }), id: "opp_1" };
    const { requests } = renderConsole({
      groups: ["liaison-sales"],
      path: "/opportunities/opp_1",
      respond: api({
        "GET /admin/opportunities/opp_1": () => json(item),
        "GET /admin/contributions/evt_1/answers": () =>
          json(
            aThread({
              classification: { label: "question", confidence: 0.7, cues: ["label:learned:price"], source: "learned" },
              correction: { label: "purchase_intent", was: "question", was_source: "learned", how: "opportunity", by: "sub-2", at: AT },
            }),
          ),
        "GET /admin/contacts/ct_1": () => json(aContact(staleEntry)),
      }),
    });
    const contribution = await screen.findByRole("region", { name: "What the person wrote" }, LOADING);
    expect(await within(contribution).findByText("What Liaison learned from your team")).toBeDefined();
    // Liaison's label (the thread's), what decided it, and what staff said.
    expect(field(contribution, "Label")).toBe("Question");
    expect(field(contribution, "Decided by")).toBe("What Liaison learned from your team");
    expect(field(contribution, "Corrected")).toMatch(/^Liaison said Question; your team said Purchase intent\. \(when the opportunity was closed, .+\)$/);
    // Relabel starts from the label staff said.
    expect(within(contribution).getByRole("button", { name: /What is it really\?/ }).textContent).toContain("Purchase intent");
    expect(requests.filter((r) => r.path === "/admin/contributions/evt_1/answers").length).toBe(1);
  });

  it("shows the label the case carries and nothing of what decided it when the thread lacks them; a relabel's 404", async () => {
    const user = userEvent.setup();
    // A thread from before the API carried them.
    const { contribution: bare, ...rest } = aThread();
    const { classification: _c, correction: _k, ...withoutFacts } = bare;
    renderConsole({
      groups: ["liaison-admin"],
      path: "/cases/case_1",
      respond: api({
        "GET /admin/cases/case_1": () => json(aCase({ contact_id: undefined })),
        "GET /admin/cases/case_1/answers": () => json({ ...rest, contribution: withoutFacts }),
        "POST /admin/contributions/evt_1/label": () => json({ error: { code: "not_found", message: "no such contribution" } }, 404),
      }),
    });
    const contribution = await screen.findByRole("region", { name: "What the person wrote" }, LOADING);
    await within(contribution).findByRole("button", { name: "Relabel" });
    expect(await screen.findByText("No answer yet.")).toBeDefined();
    expect(field(contribution, "Label")).toBe("Incident");
    expect(field(contribution, "Decided by")).toBeNull();
    expect(field(contribution, "Corrected")).toBeNull();
    await pick(user, /What is it really\?/, "Spam");
    await user.click(within(contribution).getByRole("button", { name: "Relabel" }));
    expect(await within(contribution).findByText("Not relabelled: no such contribution")).toBeDefined();
  });

  it("offers no relabel to a marketer (the API's groups), who still sees the label and reads no thread", async () => {
    const question: Question = { ...aCase({ id: "qst_1", label: "question" }), id: "qst_1", owner: "marketing", priority: "P3", due_at: iso(Date.now() + MIN) };
    const { requests } = renderConsole({
      groups: ["liaison-marketer"],
      path: "/questions/qst_1",
      respond: api({ "GET /admin/questions/qst_1": () => json(question) }),
    });
    expect(await screen.findByText("Marketing", {}, LOADING)).toBeDefined();
    const contribution = screen.getByRole("region", { name: "What the person wrote" });
    expect(field(contribution, "Label")).toBe("Question");
    // The lazy part has loaded (its strings are in the close form) and still offers nothing.
    expect(await screen.findByRole("group", { name: "What was it really?" })).toBeDefined();
    expect(screen.queryByRole("button", { name: "Relabel" })).toBeNull();
    expect(requests.filter((r) => r.path.endsWith("/answers"))).toEqual([]);
  });
});

describe("a close that says what it really was", () => {
  it("sends a case's label only when chosen, and asks for it when the box is ticked", async () => {
    const user = userEvent.setup();
    let item = aCase();
    const { requests } = renderConsole({
      groups: ["liaison-support"],
      path: "/cases/case_1",
      respond: api({
        "GET /admin/cases/case_1": () => json(item),
        "GET /admin/cases/case_1/answers": () => json(emptyThread),
        "GET /admin/contacts/ct_1": () => json(aContact()),
        "POST /admin/cases/case_1/close": () => {
          item = { ...item, status: "closed", closed_at: AT, closed_by: "agent" };
          return json(item);
        },
      }),
    });
    const really = await screen.findByRole("group", { name: "What was it really?" }, LOADING);
    await user.click(within(really).getByRole("checkbox", { name: "It was not an incident" }));
    await user.type(screen.getByRole("textbox", { name: "Resolution (private)" }), "Thanked them");
    await user.click(screen.getByRole("button", { name: "Close the case" }));
    expect(await within(really).findByText("Say what it was, or untick “It was not an incident”.")).toBeDefined();
    expect(posts(requests)).toEqual([]);
    // Incident is not offered: it is what the box denies.
    await user.click(within(really).getByRole("button", { name: /It was/ }));
    expect((await screen.findAllByRole("option")).map((o) => o.textContent)).toEqual(["Purchase intent", "Question", "Praise", "Spam", "Other"]);
    await user.click(screen.getByRole("option", { name: "Praise" }));
    await user.click(screen.getByRole("button", { name: "Close the case" }));
    expect(await screen.findByText("The case is closed.")).toBeDefined();
    expect(posts(requests)).toEqual([["/admin/cases/case_1/close", { resolution: "Thanked them", label: "praise" }]]);
  });

  it("shows an opportunity's 409 (the contribution still being recorded) in the API's words", async () => {
    const user = userEvent.setup();
    const item: Opportunity = { ...aCase({ id: "opp_1", label: "purchase_intent" }), id: "opp_1" };
    const { requests } = renderConsole({
      groups: ["liaison-sales"],
      path: "/opportunities/opp_1",
      respond: api({
        "GET /admin/opportunities/opp_1": () => json(item),
        "GET /admin/contacts/ct_1": () => json(aContact()),
        "POST /admin/opportunities/opp_1/close": () =>
          json({ error: { code: "conflict", message: "this opportunity's contribution is still being recorded: try again in a few seconds" } }, 409),
      }),
    });
    await user.click(await screen.findByRole("radio", { name: "Lost" }, LOADING));
    await user.click(screen.getByRole("checkbox", { name: "It was not a purchase intent" }));
    await pick(user, /It was/, "Question");
    await user.click(screen.getByRole("button", { name: "Close the opportunity" }));
    expect((await screen.findByText(/still being recorded/)).textContent).toBe(
      "It was not closed. this opportunity's contribution is still being recorded: try again in a few seconds",
    );
    expect(posts(requests)).toEqual([["/admin/opportunities/opp_1/close", { outcome: "lost", label: "question" }]]);
  });

  it("sends a question's label, and none when the box is unticked again", async () => {
    const user = userEvent.setup();
    let question: Question = { ...aCase({ id: "qst_1", label: "question" }), id: "qst_1", owner: "support", priority: "P3", due_at: iso(Date.now() + MIN) };
    const { requests } = renderConsole({
      groups: ["liaison-admin"],
      path: "/questions/qst_1",
      respond: api({
        "GET /admin/questions/qst_1": () => json(question),
        "GET /admin/contacts/ct_1": () => json(aContact()),
        "POST /admin/questions/qst_1/close": () => {
          question = { ...question, status: "closed" };
          return json(question);
        },
      }),
    });
    const box = await screen.findByRole("checkbox", { name: "It was not a question" }, LOADING);
    await user.click(box);
    await pick(user, /It was/, "Spam");
    await user.click(box);
    await user.click(box);
    await pick(user, /It was/, "Other");
    await user.click(screen.getByRole("button", { name: "Close the question" }));
    expect(await screen.findByText("The question is closed.")).toBeDefined();
    expect(posts(requests)).toEqual([["/admin/questions/qst_1/close", { label: "other" }]]);
  });
});

describe("the classifier measured on staff's corrections", () => {
  const tally = (label: string, precision: number | null, recall: number | null) => ({ label, predicted: 4, actual: 3, right: 3, precision, recall });
  const report: CorrectionsReport = {
    corrections: 5,
    confirmations: 3,
    learned_from: 8,
    limit: 2000,
    by_kind: { relabel: 4, case: 3, moderation: 1, opportunity: 0 },
    labels: [
      { label: "incident", predicted: 4, actual: 3, right: 3, precision: 0.75, recall: 1 },
      { label: "praise", predicted: 0, actual: 2, right: 0, precision: null, recall: 0 },
    ],
    weeks: [
      { week: "2026-02-23", corrections: 2, confirmations: 1, labels: [tally("incident", 0.5, 1)] },
      { week: "2026-03-02", corrections: 3, confirmations: 2, labels: [tally("incident", 1, null), tally("praise", null, 0)] },
    ],
  } as CorrectionsReport;
  const reportsApi = (corrections: CorrectionsReport) =>
    api({
      "GET /admin/reports/corrections": () => json(corrections),
      "GET /admin/reports/contributions": () => json({ by: "platform", from: "2026-03-01", to: "2026-03-03", total: 0, groups: [] }),
    });

  it("shows the totals, precision and recall per label as percentages, — where undefined, and per week", async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({ groups: ["liaison-marketer"], path: "/reports", respond: reportsApi(report) });
    const section = await screen.findByRole("region", { name: "Classifier measured on your corrections" }, LOADING);
    expect(await within(section).findByText("5 corrections (your team said another label than Liaison’s).")).toBeDefined();
    expect(within(section).getByText("3 confirmations (your team said Liaison’s label).")).toBeDefined();
    expect(within(section).getByText("Liaison learns from the newest 8 of them (at most 2,000).")).toBeDefined();
    expect(within(section).getByText("Said by: relabels 4, moderation decisions 1, closed cases 3.")).toBeDefined();
    const table = within(section).getByRole("table", { name: "Precision and recall per label, on your team’s corrections" });
    const row = (name: string) => within(table).getByRole("rowheader", { name }).closest("tr") as HTMLElement;
    expect(within(row("Incident")).getAllByRole("cell").map((c) => c.textContent)).toEqual(["4", "3", "3", "75%", "100%"]);
    expect(within(row("Praise")).getAllByRole("cell").map((c) => c.textContent)).toEqual(["0", "2", "0", "—", "0%"]);
    // A label the API did not list: zeros, nothing to measure.
    expect(within(row("Spam")).getAllByRole("cell").map((c) => c.textContent)).toEqual(["0", "0", "0", "—", "—"]);
    expect(within(table).getAllByRole("columnheader").map((c) => c.textContent)).toEqual([
      "Label",
      "Liaison said",
      "Your team said",
      "Both said",
      "Precision",
      "Recall",
    ]);

    const weekly = within(section).getByRole("table", { name: "Per week, precision and recall of “Incident”" });
    const cells = (t: HTMLElement) => within(t).getAllByRole("row").slice(1).map((r) => within(r).getAllByRole("cell").map((c) => c.textContent));
    expect(cells(weekly)).toEqual([
      ["2", "1", "50%", "100%"],
      ["3", "2", "100%", "—"],
    ]);
    await user.click(within(section).getByRole("radio", { name: "Praise" }));
    const praise = within(section).getByRole("table", { name: "Per week, precision and recall of “Praise”" });
    expect(cells(praise)).toEqual([
      ["2", "1", "—", "—"],
      ["3", "2", "—", "0%"],
    ]);
    expect(requests.find((r) => r.path === "/admin/reports/corrections")?.query).toEqual({});
  });

  it("says when there is no correction yet, in French too", async () => {
    const none = { corrections: 0, confirmations: 0, learned_from: 0, limit: 2000, by_kind: {}, labels: [], weeks: [] } as CorrectionsReport;
    renderConsole({ groups: ["liaison-support"], path: "/reports", respond: reportsApi(none), language: "fr" });
    const section = await screen.findByRole("region", { name: "Le classifieur mesuré sur vos corrections" }, LOADING);
    expect(await within(section).findByText(/Aucune correction encore/)).toBeDefined();
    expect(within(section).queryByRole("table")).toBeNull();
  });
});
