// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { resetSessionForTests } from "../auth/session";
import { json, renderConsole, type Respond } from "../test/render";
import type { ContactWithTimeline, Question } from "./queries";

afterEach(() => {
  cleanup();
  resetSessionForTests();
});

const PROPOSED = {
  type: "partner" as const,
  reason: "email domain acme-distrib.fr is a partner domain",
  strength: 4,
  at: "2026-12-07T10:00:00Z",
};

function contact(profile: Partial<ContactWithTimeline["profile"]>): ContactWithTimeline {
  return {
    id: "ct_1",
    profile: { contact_id: "ct_1", type: "prospect", influence: 20, ...profile },
    identities: [],
    merge_candidates: [],
    timeline: [],
    next: null,
  };
}

/** The contact as the API holds it, changed by PATCH and DELETE …/proposed-type. */
function api(calls: { method: string; path: string; body: unknown }[], failDismiss = false): Respond {
  let person = contact({ proposed_type: PROPOSED });
  return (request, body) => {
    const { pathname } = new URL(request.url);
    const route = `${request.method} ${pathname}`;
    if (route !== "GET /admin/contacts/ct_1") calls.push({ method: request.method, path: pathname, body });
    if (route === "GET /admin/contacts/ct_1") return json(person);
    if (route === "PATCH /admin/contacts/ct_1") {
      person = contact({ type: (body as { type: "partner" }).type, influence: 22, type_set_by: "sam" });
      return json(person);
    }
    if (route === "DELETE /admin/contacts/ct_1/proposed-type") {
      if (failDismiss) return json({ error: { code: "not_found", message: "no type proposed for this contact" } }, 404);
      person = contact({ dismissed_types: ["partner"] });
      return json(person);
    }
    return json({ error: { code: "not_found", message: "Not found." } }, 404);
  };
}

describe("a type Liaison proposes, on the contact's page", () => {
  it("shows the type and its reason, and Confirm makes it their type", async () => {
    const user = userEvent.setup();
    const calls: { method: string; path: string; body: unknown }[] = [];
    renderConsole({ groups: ["liaison-support"], path: "/contacts/ct_1", respond: api(calls) });
    const proposal = await screen.findByRole("group", { name: "Proposed type" });
    expect(within(proposal).getByText("Partner")).toBeDefined();
    expect(within(proposal).getByText(/why: email domain acme-distrib.fr is a partner domain/)).toBeDefined();
    await user.click(within(proposal).getByRole("button", { name: "Confirm: Partner" }));
    await waitFor(() => expect(calls).toEqual([{ method: "PATCH", path: "/admin/contacts/ct_1", body: { type: "partner" } }]));
    expect(await screen.findByText("Confirmed: Partner. Their influence is recomputed.")).toBeDefined();
    await waitFor(() => expect(screen.queryByRole("group", { name: "Proposed type" })).toBeNull());
    // The type editor follows the confirmed type.
    const select = screen.getByRole("combobox", { name: "What they are to the brand" }) as HTMLSelectElement;
    expect(select.value).toBe("partner");
  });

  it("Dismiss drops it for good, and a failure is said in the API's words", async () => {
    const user = userEvent.setup();
    const calls: { method: string; path: string; body: unknown }[] = [];
    renderConsole({ groups: ["liaison-sales"], path: "/contacts/ct_1", respond: api(calls) });
    const proposal = await screen.findByRole("group", { name: "Proposed type" });
    await user.click(within(proposal).getByRole("button", { name: "Dismiss" }));
    await waitFor(() => expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(["DELETE /admin/contacts/ct_1/proposed-type"]));
    expect(await screen.findByText("Dismissed: Partner will not be proposed again.")).toBeDefined();
    await waitFor(() => expect(screen.queryByRole("group", { name: "Proposed type" })).toBeNull());

    cleanup();
    resetSessionForTests();
    renderConsole({ groups: ["liaison-support"], path: "/contacts/ct_1", respond: api([], true) });
    const again = await screen.findByRole("group", { name: "Proposed type" });
    await user.click(within(again).getByRole("button", { name: "Dismiss" }));
    expect(await screen.findByText(/no type proposed for this contact/)).toBeDefined();
  });

  it("speaks French, and shows nothing when nothing is proposed", async () => {
    renderConsole({ groups: ["liaison-support"], path: "/contacts/ct_1", respond: api([]), language: "fr" });
    const proposal = await screen.findByRole("group", { name: "Type proposé" });
    expect(within(proposal).getByRole("button", { name: "Écarter" })).toBeDefined();
    cleanup();
    resetSessionForTests();
    renderConsole({
      groups: ["liaison-support"],
      path: "/contacts/ct_1",
      respond: (request) =>
        new URL(request.url).pathname === "/admin/contacts/ct_1" ? json(contact({})) : json({ error: { code: "not_found", message: "x" } }, 404),
    });
    expect(await screen.findByRole("heading", { name: "Profile" })).toBeDefined();
    expect(screen.queryByRole("group", { name: "Proposed type" })).toBeNull();
  });
});

describe("a blogger's question, in the community manager's queue", () => {
  const question: Question = {
    id: "qst_1",
    event_id: "evt_1",
    source_id: "src_1",
    platform: "wordpress",
    status: "open",
    opened_at: "2026-12-07T10:00:00Z",
    text: "Coup de coeur pour la lampe Aube !",
    contact_id: "ct_1",
    contact_type: "blogger",
    label: "praise",
    owner: "marketing",
    priority: "P3",
    due_at: "2099-12-08T10:00:00Z",
    audience: { reach: 15, basis: "blog https://lumiere.blog", measured_at: "2026-12-07T10:00:00Z" },
  };

  it("shows the author's audience to a marketer, who may not read contacts", async () => {
    const { requests } = renderConsole({
      groups: ["liaison-marketer"],
      path: "/questions/qst_1",
      respond: (request) =>
        new URL(request.url).pathname === "/admin/questions/qst_1" ? json(question) : json({ error: { code: "not_found", message: "x" } }, 404),
    });
    const author = await screen.findByRole("region", { name: "The author" });
    expect(await within(author).findByText("Audience: reach 15 out of 100 (blog https://lumiere.blog)")).toBeDefined();
    expect(within(author).getByText("Blogger")).toBeDefined();
    expect(requests.some((r) => r.path.startsWith("/admin/contacts"))).toBe(false);
  });

  it("says when the audience was never measured", async () => {
    renderConsole({
      groups: ["liaison-marketer"],
      path: "/questions/qst_1",
      respond: (request) =>
        new URL(request.url).pathname === "/admin/questions/qst_1"
          ? json({ ...question, audience: { reach: 0 } })
          : json({ error: { code: "not_found", message: "x" } }, 404),
    });
    expect(await screen.findByText("Audience: not measured yet")).toBeDefined();
  });
});
