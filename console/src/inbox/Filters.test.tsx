// @vitest-environment jsdom
import { act, cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { resetSessionForTests } from "../auth/session";
import { json, renderConsole, type Recorded } from "../test/render";
import { filtersFor, readFilters, withFilters, withoutFilters } from "./filters";
import type { Case, Contribution, Source } from "./queries";

afterEach(() => {
  cleanup();
  resetSessionForTests();
});

const iso = (ms: number) => new Date(ms).toISOString();

function aCase(overrides: Partial<Case> = {}): Case {
  return {
    id: "case_1",
    event_id: "evt_1",
    source_id: "src_blog",
    platform: "wordpress",
    status: "open",
    opened_at: iso(Date.now() - 60_000),
    text: "My lamp arrived broken",
    priority: "P2",
    due_at: iso(Date.now() + 3_600_000),
    cues: [],
    ...overrides,
  };
}

function aContribution(): Contribution {
  return {
    id: "evt_9",
    source_id: "src_blog",
    platform: "wordpress",
    received_at: iso(Date.now()),
    classified_at: iso(Date.now()),
    classification: { label: "incident", confidence: 0.9, cues: [] },
    contribution: {
      action: "created",
      kind: "comment",
      external_id: "x-9",
      author: { name: "Dominique" },
      text: "A held comment",
      created_at: iso(Date.now()),
      moderation: "pending",
    },
  };
}

function aSource(id: string, name: string, platform: Source["platform"]): Source {
  return {
    id,
    platform,
    name,
    created_at: iso(Date.now()),
    webhook_url: `http://127.0.0.1:3000/hooks/${id}`,
    settings: {},
    secrets: [],
    credentials: [],
  };
}

/** Every list empty (and the sources, for admins): the requests are what is looked at. */
function lists(request: Request): Response {
  const { pathname } = new URL(request.url);
  switch (pathname) {
    case "/admin/cases":
      return json({ cases: [], next: null });
    case "/admin/questions":
      return json({ questions: [], next: null });
    case "/admin/opportunities":
      return json({ opportunities: [], next: null });
    case "/admin/moderation":
      return json({ contributions: [], next: null });
    case "/admin/sources":
      return json({ sources: [aSource("src_blog", "Blog", "wordpress"), aSource("src_shop", "Shop", "shopify")], next: null });
    default:
      return json({ error: { code: "not_found", message: "Not found." } }, 404);
  }
}

const lastTo = (requests: Recorded[], path: string) => requests.filter((r) => r.path === path).at(-1);

/** The URL's search params, as the router holds them. */
function searchOf(router: { state: { location: { search: string } } }): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(router.state.location.search));
}

describe("the filters in the URL (filters.ts)", () => {
  it("are read from the search params, an unknown platform or label left out", () => {
    const params = new URLSearchParams("tab=cases&source=%20src_1%20&platform=myspace&label=rant&tag=vip&assignee=none");
    expect(readFilters(params)).toEqual({ source: "src_1", tag: "vip", assignee: "none" });
    expect(readFilters(new URLSearchParams("platform=discourse&label=purchase_intent&tag="))).toEqual({
      platform: "discourse",
      label: "purchase_intent",
    });
  });

  it("are written beside the tab, which is kept, and cleared without it going", () => {
    const params = new URLSearchParams("tab=questions&tag=vip");
    const next = withFilters(params, { platform: "meta", tag: undefined, assignee: "  ann  " });
    expect(next.toString()).toBe("tab=questions&platform=meta&assignee=ann");
    expect(params.toString()).toBe("tab=questions&tag=vip");
    expect(withoutFilters(next).toString()).toBe("tab=questions");
  });

  it("leave the assignee out for held contributions only", () => {
    const filters = { source: "src_1", assignee: "none" };
    expect(filtersFor("moderation", filters)).toEqual({ source: "src_1" });
    expect(filtersFor("cases", filters)).toEqual(filters);
  });
});

describe("the filter bar", { timeout: 30_000 }, () => {
  it("starts from the URL's filters and asks the list for them", async () => {
    const { requests } = renderConsole({
      groups: ["liaison-support"],
      path: "/inbox?tab=cases&source=src_blog&platform=discourse&label=incident&tag=vip&assignee=none",
      respond: lists,
    });
    await screen.findByText("No case matches these filters.");
    expect(lastTo(requests, "/admin/cases")?.query).toEqual({
      status: "open",
      source: "src_blog",
      platform: "discourse",
      label: "incident",
      tag: "vip",
      assignee: "none",
      limit: "50",
    });
    const bar = screen.getByRole("region", { name: "Filters" });
    expect(within(bar).getByRole<HTMLInputElement>("textbox", { name: "Source" }).value).toBe("src_blog");
    expect(within(bar).getByRole<HTMLInputElement>("textbox", { name: "Tag" }).value).toBe("vip");
    expect(within(bar).getByRole("button", { name: /Platform/ }).textContent).toContain("Discourse");
    expect(within(bar).getByRole("button", { name: /Label/ }).textContent).toContain("Incident");
    expect(within(bar).getByRole("button", { name: "Unassigned" }).getAttribute("aria-pressed")).toBe("true");
    // Not an admin: the sources are not listed (GET /admin/sources is the admins'), the
    // source is a source's id.
    expect(requests.some((r) => r.path === "/admin/sources")).toBe(false);
  });

  it("writes each filter to the URL, keeping the tab, and asks the list again", async () => {
    const user = userEvent.setup();
    const { requests, router } = renderConsole({
      groups: ["liaison-support"],
      path: "/inbox?tab=cases",
      respond: lists,
    });
    await screen.findByText("No open cases.");
    const bar = screen.getByRole("region", { name: "Filters" });

    await user.click(within(bar).getByRole("button", { name: /Platform/ }));
    await user.click(await screen.findByRole("option", { name: "Discourse" }));
    await waitFor(() => expect(searchOf(router)).toEqual({ tab: "cases", platform: "discourse" }));

    await user.click(within(bar).getByRole("button", { name: /Label/ }));
    await user.click(await screen.findByRole("option", { name: "Purchase intent" }));
    await waitFor(() => expect(searchOf(router).label).toBe("purchase_intent"));

    // Typed filters apply on Enter, not at each key.
    const before = requests.length;
    await user.type(within(bar).getByRole("textbox", { name: "Tag" }), "vip");
    expect(searchOf(router).tag).toBeUndefined();
    expect(requests.length).toBe(before);
    await user.keyboard("{Enter}");
    await waitFor(() => expect(searchOf(router).tag).toBe("vip"));

    // ...or when the field is left.
    await user.type(within(bar).getByRole("textbox", { name: "Source" }), "src_blog");
    await user.tab();
    await waitFor(() => expect(searchOf(router).source).toBe("src_blog"));

    await user.click(within(bar).getByRole("button", { name: "Unassigned" }));
    await waitFor(() => expect(searchOf(router).assignee).toBe("none"));
    await waitFor(() =>
      expect(lastTo(requests, "/admin/cases")?.query).toEqual({
        status: "open",
        platform: "discourse",
        label: "purchase_intent",
        tag: "vip",
        source: "src_blog",
        assignee: "none",
        limit: "50",
      }),
    );

    // "Mine": the signed-in user's address, as the conversation's "Assign to me" uses.
    await user.click(within(bar).getByRole("button", { name: "Assigned to me" }));
    await waitFor(() => expect(searchOf(router).assignee).toBe("camille@brand.example"));
    expect(within(bar).getByRole<HTMLInputElement>("textbox", { name: "Assignee" }).value).toBe("camille@brand.example");
    expect(within(bar).getByRole("button", { name: "Unassigned" }).getAttribute("aria-pressed")).toBe("false");
    expect(searchOf(router).tab).toBe("cases");

    // Another tab keeps the filters.
    await user.click(screen.getByRole("tab", { name: "Questions" }));
    await waitFor(() => expect(searchOf(router).tab).toBe("questions"));
    expect(searchOf(router)).toMatchObject({ platform: "discourse", tag: "vip", assignee: "camille@brand.example" });
    await waitFor(() =>
      expect(lastTo(requests, "/admin/questions")?.query).toMatchObject({ platform: "discourse", assignee: "camille@brand.example" }),
    );
  });

  it("keeps a typed filter applied as the field is left for a tab", async () => {
    const user = userEvent.setup();
    const { router, requests } = renderConsole({ groups: ["liaison-support"], path: "/inbox", respond: lists });
    await screen.findByText("No open cases.");
    await user.type(screen.getByRole("textbox", { name: "Tag" }), "vip");
    await user.click(screen.getByRole("tab", { name: "Questions" }));
    await waitFor(() => expect(searchOf(router)).toEqual({ tab: "questions", tag: "vip" }));
    await waitFor(() => expect(lastTo(requests, "/admin/questions")?.query.tag).toBe("vip"));
    expect(screen.getByRole("tab", { name: "Questions" }).getAttribute("aria-selected")).toBe("true");
  });

  it("follows the back button: the previous filters, in the fields and the request", async () => {
    const user = userEvent.setup();
    const { requests, router } = renderConsole({
      groups: ["liaison-support"],
      path: "/inbox?tab=cases&tag=vip",
      respond: lists,
    });
    await screen.findByText("No case matches these filters.");
    const tag = screen.getByRole<HTMLInputElement>("textbox", { name: "Tag" });
    await user.clear(tag);
    await user.type(tag, "gold{Enter}");
    await waitFor(() => expect(lastTo(requests, "/admin/cases")?.query.tag).toBe("gold"));
    await act(() => router.navigate(-1));
    expect(searchOf(router)).toEqual({ tab: "cases", tag: "vip" });
    await waitFor(() => expect(screen.getByRole<HTMLInputElement>("textbox", { name: "Tag" }).value).toBe("vip"));
  });

  it("sends every filter to each work queue, and never the assignee to the held contributions", async () => {
    const user = userEvent.setup();
    const { requests } = renderConsole({
      groups: ["liaison-admin"],
      path: "/inbox?source=src_shop&platform=shopify&label=spam&tag=vip&assignee=ann",
      respond: lists,
    });
    const every = { source: "src_shop", platform: "shopify", label: "spam", tag: "vip" };
    await screen.findByText("No case matches these filters.");
    expect(lastTo(requests, "/admin/cases")?.query).toEqual({ status: "open", ...every, assignee: "ann", limit: "50" });

    await user.click(screen.getByRole("tab", { name: "Questions" }));
    await screen.findByText("No question matches these filters.");
    expect(lastTo(requests, "/admin/questions")?.query).toEqual({ ...every, assignee: "ann", limit: "50" });

    await user.click(screen.getByRole("tab", { name: "Opportunities" }));
    await screen.findByText("No opportunity matches these filters.");
    expect(lastTo(requests, "/admin/opportunities")?.query).toEqual({ status: "open", ...every, assignee: "ann", limit: "50" });

    await user.click(screen.getByRole("tab", { name: "Held contributions" }));
    await screen.findByText("No held contribution matches these filters.");
    expect(lastTo(requests, "/admin/moderation")?.query).toEqual({ decision: "hold", ...every, limit: "50" });
    expect(requests.filter((r) => r.path === "/admin/moderation").every((r) => !("assignee" in r.query))).toBe(true);

    // There, the assignee's controls are disabled and say why.
    const assignee = screen.getByRole("textbox", { name: "Assignee" });
    expect(assignee.hasAttribute("disabled")).toBe(true);
    expect(document.getElementById(assignee.getAttribute("aria-describedby") ?? "")?.textContent).toBe(
      "Held contributions have no assignee: this filter applies to the other lists only.",
    );
    expect(screen.getByRole("button", { name: "Unassigned" }).hasAttribute("disabled")).toBe(true);

    // An admin chooses the source among the sources, by name.
    const source = screen.getByRole("button", { name: /Source/ });
    expect(source.textContent).toContain("Shop (Shopify)");
    await user.click(source);
    expect((await screen.findAllByRole("option")).map((o) => o.textContent)).toEqual([
      "All sources",
      "Blog (WordPress)",
      "Shop (Shopify)",
    ]);
  });

  it("says nothing was filtered out when on the held tab only the assignee is set", async () => {
    renderConsole({ groups: ["liaison-support"], path: "/inbox?tab=moderation&assignee=none", respond: lists });
    expect(await screen.findByText("No held contributions.")).toBeDefined();
    expect(screen.queryByText("No held contribution matches these filters.")).toBeNull();
  });

  it("caches each filter set apart, and a list's prefix invalidates them all", async () => {
    const user = userEvent.setup();
    const { queryClient, requests } = renderConsole({
      groups: ["liaison-support"],
      path: "/inbox?tab=cases&label=incident",
      respond: lists,
    });
    await screen.findByText("No case matches these filters.");
    await user.click(screen.getByRole("button", { name: /Label/ }));
    await user.click(await screen.findByRole("option", { name: "Praise" }));
    await waitFor(() => expect(lastTo(requests, "/admin/cases")?.query.label).toBe("praise"));
    const keys = queryClient
      .getQueryCache()
      .findAll({ queryKey: ["cases"] })
      .map((q) => q.queryKey);
    expect(keys).toEqual([
      ["cases", { status: "open", label: "incident" }],
      ["cases", { status: "open", label: "praise" }],
    ]);
    const query = queryClient.getQueryCache().find({ queryKey: ["cases", { status: "open", label: "praise" }] });
    expect(query?.observers[0]?.options.refetchInterval).toBe(15_000);
    const count = requests.length;
    await act(() => queryClient.invalidateQueries({ queryKey: ["cases"] }));
    await waitFor(() => expect(requests.length).toBeGreaterThan(count));
    expect(lastTo(requests, "/admin/cases")?.query.label).toBe("praise");
  });
});

describe("a filtered list", () => {
  it("says the filters hid everything, and clears them (the tab kept), back to everything", async () => {
    const user = userEvent.setup();
    const { router, requests } = renderConsole({
      groups: ["liaison-support"],
      path: "/inbox?tab=cases&source=src_none&tag=vip",
      respond: (request) =>
        new URL(request.url).searchParams.has("source") ? json({ cases: [], next: null }) : json({ cases: [aCase()], next: null }),
    });
    const panel = await screen.findByRole("tabpanel");
    expect(await within(panel).findByText("No case matches these filters.")).toBeDefined();
    await user.click(within(panel).getByRole("button", { name: "Clear filters" }));
    expect(await screen.findByText("My lamp arrived broken")).toBeDefined();
    expect(searchOf(router)).toEqual({ tab: "cases" });
    expect(lastTo(requests, "/admin/cases")?.query).toEqual({ status: "open", limit: "50" });
    // Focus stays by the filters, not lost with the button that went.
    expect(document.activeElement).toBe(
      within(screen.getByRole("region", { name: "Filters" })).getByRole("button", { name: "Clear filters" }),
    );
    expect(screen.getByRole<HTMLInputElement>("textbox", { name: "Tag" }).value).toBe("");
  });

  it("clears from the bar too", async () => {
    const user = userEvent.setup();
    const { router } = renderConsole({
      groups: ["liaison-marketer"],
      path: "/inbox?platform=meta&label=question",
      respond: lists,
    });
    await screen.findByText("No question matches these filters.");
    await user.click(within(screen.getByRole("region", { name: "Filters" })).getByRole("button", { name: "Clear filters" }));
    expect(await screen.findByText("No open questions.")).toBeDefined();
    expect(searchOf(router)).toEqual({});
  });

  it("pages on when a filtered page comes back short, even empty, with a cursor", async () => {
    const user = userEvent.setup();
    renderConsole({
      groups: ["liaison-support"],
      path: "/inbox?tab=cases&assignee=none",
      respond: (request) =>
        new URL(request.url).searchParams.get("after") === "more"
          ? json({ cases: [aCase({ text: "Found further on" })], next: null })
          : json({ cases: [], next: "more" }),
    });
    expect(await screen.findByText("Nothing matches in what was searched so far; more remains to search.")).toBeDefined();
    await user.click(screen.getByRole("button", { name: "Show more" }));
    expect(await screen.findByText("Found further on")).toBeDefined();
    expect(screen.queryByRole("button", { name: "Show more" })).toBeNull();
  });

  it("shows why it could not be loaded, in the API's words", async () => {
    renderConsole({
      groups: ["liaison-support"],
      path: "/inbox?tab=cases&platform=meta",
      respond: () => json({ error: { code: "invalid_request", message: "platform: not a platform Liaison knows", field: "platform" } }, 400),
    });
    expect((await screen.findByRole("alert")).textContent).toContain("The list could not be loaded. platform: not a platform Liaison knows");
  });
});

describe("a decision on a filtered held list", () => {
  it("refreshes that list, filters kept", async () => {
    const user = userEvent.setup();
    let held = [aContribution()];
    const { requests } = renderConsole({
      groups: ["liaison-support"],
      path: "/inbox?tab=moderation&source=src_blog&assignee=none",
      respond: (request) => {
        if (request.method === "PUT") {
          held = [];
          return json({
            id: "evt_9",
            moderation: { decision: "approve", reasons: [], decided_at: iso(Date.now()), decided_by: "camille" },
            callback_queued: false,
          });
        }
        return json({ contributions: held, next: null });
      },
    });
    const row = await screen.findByRole("article", { name: /Dominique/ });
    row.focus();
    await user.keyboard("a");
    expect(await screen.findByText("No held contribution matches these filters.")).toBeDefined();
    const put = requests.findIndex((r) => r.method === "PUT");
    expect(requests.slice(put + 1).find((r) => r.path === "/admin/moderation")?.query).toEqual({
      decision: "hold",
      source: "src_blog",
      limit: "50",
    });
  });
});

describe("the source filter", () => {
  it("is a field for a source's id when the sources cannot be listed (403)", async () => {
    const user = userEvent.setup();
    const { router } = renderConsole({
      groups: ["liaison-admin"],
      path: "/inbox?tab=cases",
      respond: (request) =>
        new URL(request.url).pathname === "/admin/sources"
          ? json({ error: { code: "forbidden", message: "Not allowed for your groups." } }, 403)
          : lists(request),
    });
    const source = await screen.findByRole("textbox", { name: "Source" });
    expect(document.getElementById(source.getAttribute("aria-describedby") ?? "")?.textContent).toContain(
      "The sources could not be listed (Not allowed for your groups.)",
    );
    await user.type(source, "src_blog{Enter}");
    await waitFor(() => expect(searchOf(router)).toEqual({ tab: "cases", source: "src_blog" }));
  });

  it("keeps showing a source the list does not hold", async () => {
    renderConsole({ groups: ["liaison-admin"], path: "/inbox?source=src_gone", respond: lists });
    await screen.findByText("No case matches these filters.");
    await waitFor(() => expect(screen.getByRole("button", { name: /Source/ }).textContent).toContain("src_gone"));
  });
});

describe("a work item", () => {
  it("shows its label and tags, what the filters read", async () => {
    renderConsole({
      groups: ["liaison-support"],
      respond: () => json({ cases: [aCase({ label: "incident", tags: ["vip", "lamp"] })], next: null }),
    });
    const item = (await within(await screen.findByRole("tabpanel")).findAllByRole("listitem"))[0]!;
    expect(within(item).getByText("Incident")).toBeDefined();
    expect(within(item).getByText("vip, lamp")).toBeDefined();
  });
});
