// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { resetSessionForTests } from "../auth/session";
import { json, renderConsole, type Respond } from "../test/render";
import { domainProblem, entries, firstDomainProblem, programmesBody, programmesForm, testerLabel, type Programmes } from "./programmes";

afterEach(() => {
  cleanup();
  resetSessionForTests();
});

const ADA = `email#${"a1".repeat(32)}`;
const BOB = `handle#${"b2".repeat(32)}`;

const STORED: Programmes = {
  partner_domains: ["acme-distrib.fr"],
  reseller_domains: [],
  affiliate_domains: [],
  affiliate_ids: ["lum42"],
  media_domains: [],
  association_domains: [],
  testers: [ADA, BOB],
  built_in_media_domains: ["lemonde.fr", "lefigaro.fr"],
  max_entries: 100,
  max_testers: 500,
  updated_at: "2026-12-07T10:00:00Z",
  updated_by: "camille",
};

function api(saved: unknown[], refusal?: { field: string; message: string }): Respond {
  return (request, body) => {
    const { pathname } = new URL(request.url);
    const route = `${request.method} ${pathname}`;
    if (route === "GET /admin/programmes") return json(STORED);
    if (route === "PUT /admin/programmes") {
      saved.push(body);
      if (refusal !== undefined) return json({ error: { code: "invalid_request", ...refusal } }, 400);
      const sent = body as { partner_domains: string[]; testers: string[] };
      const hashed = sent.testers.map((t) => (t.includes("#") ? t : `email#${"c3".repeat(32)}`));
      return json({ ...STORED, ...sent, partner_domains: sent.partner_domains.map((d) => d.toLowerCase()), testers: hashed });
    }
    return json({ error: { code: "not_found", message: "No such route." } }, 404);
  };
}

describe("the programmes page", () => {
  it("lets a marketer edit the lists, keep or drop testers by hash and add one by address", async () => {
    const user = userEvent.setup();
    const saved: unknown[] = [];
    renderConsole({ groups: ["liaison-marketer"], path: "/programmes", respond: api(saved) });
    expect(await screen.findByRole("heading", { level: 1, name: "Programmes" })).toBeDefined();
    const partners = await screen.findByRole("textbox", { name: /Partner domains/ });
    expect((partners as HTMLTextAreaElement).value).toBe("acme-distrib.fr");
    await user.type(partners, "\nLampes-Pro.fr");
    // Stored testers show as hashes only; one is dropped.
    const kept = screen.getByRole("group", { name: /Testers kept/ });
    expect(within(kept).getByText("a1a1a1a1…")).toBeDefined();
    await user.click(within(kept).getByRole("checkbox", { name: /By handle/ }));
    await user.type(screen.getByRole("textbox", { name: /Add testers/ }), "eve@example.org");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]).toEqual({
      partner_domains: ["acme-distrib.fr", "Lampes-Pro.fr"],
      reseller_domains: [],
      affiliate_domains: [],
      affiliate_ids: ["lum42"],
      media_domains: [],
      association_domains: [],
      testers: [ADA, "eve@example.org"],
      remove_testers: [],
    });
    expect(await screen.findByText(/Saved: 2 testers on the list/)).toBeDefined();
    // The form shows what was stored: lower case, and no address left on the screen.
    expect((screen.getByRole("textbox", { name: /Partner domains/ }) as HTMLTextAreaElement).value).toBe("acme-distrib.fr\nlampes-pro.fr");
    expect((screen.getByRole("textbox", { name: /Add testers/ }) as HTMLTextAreaElement).value).toBe("");
    expect(screen.queryByText(/eve@example.org/)).toBeNull();
  });

  it("refuses a domain with a scheme before asking the API, and shows the API's refusal on its field", async () => {
    const user = userEvent.setup();
    const saved: unknown[] = [];
    renderConsole({
      groups: ["liaison-admin"],
      path: "/programmes",
      respond: api(saved, { field: "testers", message: "testers: entry 1: neither an email nor platform:handle" }),
    });
    const media = await screen.findByRole("textbox", { name: /Media domains/ });
    await user.type(media, "https://deco-mag.fr");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("“https://deco-mag.fr”: a domain without https://, such as example.com.")).toBeDefined();
    expect(saved).toEqual([]);
    await user.clear(media);
    await user.type(screen.getByRole("textbox", { name: /Add testers/ }), "not an address");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText("testers: entry 1: neither an email nor platform:handle")).toBeDefined();
    expect(document.activeElement?.getAttribute("id")).toBe("programmes-add_testers");
    expect(saved).toHaveLength(1);
  });

  it("is not offered to customer service, who ask the API nothing about it", async () => {
    const { requests } = renderConsole({ groups: ["liaison-support"], path: "/programmes", respond: api([]) });
    expect(await screen.findByRole("heading", { level: 1, name: "Page not found" })).toBeDefined();
    expect(requests.some((r) => r.path === "/admin/programmes")).toBe(false);
  });

  it("speaks French", async () => {
    renderConsole({ groups: ["liaison-admin"], path: "/programmes", respond: api([]), language: "fr" });
    expect(await screen.findByRole("textbox", { name: /Domaines des partenaires/ })).toBeDefined();
    expect(screen.getByText("Médias connus d’office (2)")).toBeDefined();
  });
});

describe("the programmes form", () => {
  it("reads one entry a line, without blanks or repeats", () => {
    expect(entries(" a.fr \n\nB.fr, a.FR;c.fr\n")).toEqual(["a.fr", "B.fr", "c.fr"]);
    expect(entries("")).toEqual([]);
  });

  it("knows a domain from a URL, a path or an address", () => {
    expect(domainProblem("acme.fr")).toBeNull();
    expect(domainProblem("presse.lemonde.fr.")).toBeNull();
    expect(domainProblem("https://acme.fr")).toBe("scheme");
    expect(domainProblem("acme.fr/shop")).toBe("path");
    expect(domainProblem("ada@acme.fr")).toBe("path");
    expect(domainProblem("localhost")).toBe("shape");
    const form = { ...programmesForm(STORED), lists: { ...programmesForm(STORED).lists, affiliate_ids: "not/a-domain", media_domains: "ok.fr\nbad" } };
    expect(firstDomainProblem(form)).toEqual({ field: "media_domains", entry: "bad", problem: "shape" });
  });

  it("sends every list whole, the kept hashes with the new testers, and those to remove", () => {
    const form = { ...programmesForm(STORED), kept: [BOB], add: "x:@ada\n", remove: "old@example.org" };
    const body = programmesBody(form);
    expect(body.testers).toEqual([BOB, "x:@ada"]);
    expect(body.remove_testers).toEqual(["old@example.org"]);
    expect(body.partner_domains).toEqual(["acme-distrib.fr"]);
    expect(testerLabel(BOB)).toEqual({ kind: "handle", short: "b2b2b2b2" });
  });
});
