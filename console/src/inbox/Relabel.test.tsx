// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { resetSessionForTests } from "../auth/session";
import { json, renderConsole, type Respond } from "../test/render";
import { correctionOf, currentLabel, labelFactsOf } from "./labelFacts";
import type { Contribution } from "./queries";

afterEach(() => {
  cleanup();
  resetSessionForTests();
});

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const AT = "2026-03-02T10:00:00Z";

function held(overrides: Partial<Contribution> = {}): Contribution {
  return {
    id: "evt_h1",
    source_id: "src_1",
    platform: "youtube",
    received_at: iso(Date.now() - MIN),
    classified_at: iso(Date.now() - MIN),
    classification: { label: "incident", confidence: 0.7, cues: ["incident:learned:late"], source: "learned" },
    contribution: {
      action: "created",
      kind: "comment",
      external_id: "x-1",
      author: { name: "Dominique" },
      text: "Five stars, the parcel came early!",
      created_at: iso(Date.now() - 2 * MIN),
      moderation: "pending",
    },
    ...overrides,
  };
}

function desk(relabel: Respond, item: Contribution = held()) {
  return renderConsole({
    groups: ["liaison-support"],
    path: "/inbox?tab=moderation",
    respond: (request, body) => {
      const { pathname } = new URL(request.url);
      if (request.method === "POST" && pathname === "/admin/contributions/evt_h1/label") return relabel(request, body);
      return json({ contributions: [item], next: null });
    },
  });
}

async function pick(user: ReturnType<typeof userEvent.setup>, row: HTMLElement, field: string, option: string) {
  await user.click(await within(row).findByRole("button", { name: new RegExp(field) }));
  await user.click(await screen.findByRole("option", { name: option }));
}

describe("a held contribution's label", () => {
  it("says what decided it and the correction staff made", async () => {
    desk(() => json({}), held({ correction: { label: "praise", was: "incident", was_source: "learned", how: "relabel", by: "sub-1", at: AT } }));
    const row = await screen.findByRole("article", { name: /Dominique/ }, { timeout: 10_000 });
    expect(await within(row).findByText("What Liaison learned from your team")).toBeDefined();
    expect(within(row).getByText(/Liaison said Incident; your team said Praise\./)).toBeDefined();
    expect(within(row).getByText(/relabelled/)).toBeDefined();
  });

  it("is relabelled: the request names the label, and the list is refreshed after", async () => {
    const user = userEvent.setup();
    const { requests } = desk((_r, body) =>
      json({ id: "evt_h1", correction: { label: (body as { label: string }).label, was: "incident", was_source: "learned", how: "relabel", by: "sub-1", at: AT } }),
    );
    const row = await screen.findByRole("article", { name: /Dominique/ }, { timeout: 10_000 });
    await pick(user, row, "What is it really\\?", "Praise");
    const gets = requests.filter((r) => r.method === "GET").length;
    await user.click(within(row).getByRole("button", { name: "Relabel" }));
    expect(await within(row).findByText("Relabelled: Praise.")).toBeDefined();
    expect(requests.filter((r) => r.method === "POST").map((r) => [r.path, r.body])).toEqual([
      ["/admin/contributions/evt_h1/label", { label: "praise" }],
    ]);
    await waitFor(() => expect(requests.filter((r) => r.method === "GET").length).toBeGreaterThan(gets));
    // Nothing was decided: the relabel is not a moderation decision.
    expect(requests.filter((r) => r.method === "PUT")).toEqual([]);
  });

  it("shows a refusal's message on the field", async () => {
    const user = userEvent.setup();
    desk(() => json({ error: { code: "invalid_request", message: "label: not one of the six labels", field: "label" } }, 400));
    const row = await screen.findByRole("article", { name: /Dominique/ }, { timeout: 10_000 });
    await pick(user, row, "What is it really\\?", "Question");
    await user.click(within(row).getByRole("button", { name: "Relabel" }));
    const error = await within(row).findByText("Not relabelled: label: not one of the six labels");
    const trigger = within(row).getByRole("button", { name: /What is it really\?/ });
    expect(trigger.getAttribute("aria-describedby")?.split(" ")).toContain(error.id);
    // Choosing again clears it.
    await pick(user, row, "What is it really\\?", "Spam");
    await waitFor(() => expect(within(row).queryByText(/Not relabelled/)).toBeNull());
  });

  it("keeps the letters typed in its select from the moderation shortcuts", async () => {
    const user = userEvent.setup();
    const { requests } = desk(() => json({}));
    const row = await screen.findByRole("article", { name: /Dominique/ }, { timeout: 10_000 });
    within(row).getByRole("button", { name: /What is it really\?/ }).focus();
    await user.keyboard("s");
    await user.keyboard("a");
    expect(requests.filter((r) => r.method === "PUT")).toEqual([]);
  });
});

describe("label facts", () => {
  it("are read from a contributions table item, however typed", () => {
    const correction = { label: "praise", was: "incident", was_source: "rule", how: "case", by: "s", at: AT };
    expect(labelFactsOf({ classification: { label: "incident", source: "hosted" }, correction })).toEqual({
      label: "incident",
      source: "hosted",
      correction,
    });
    // Before the source was kept: the built-in classifier.
    expect(labelFactsOf({ classification: { label: "spam" } })).toEqual({ label: "spam", source: "builtin" });
    expect(labelFactsOf({ classification: { label: "nonsense", source: "rule" }, correction: { label: "praise" } })).toEqual({ source: "rule" });
    expect(labelFactsOf(null)).toEqual({});
    expect(correctionOf({ ...correction, how: "guess" })).toBeUndefined();
    expect(currentLabel({ label: "incident", correction: correctionOf(correction) })).toBe("praise");
    expect(currentLabel({ label: "incident" })).toBe("incident");
  });
});
