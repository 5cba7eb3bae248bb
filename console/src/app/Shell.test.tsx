// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { I18nextProvider } from "react-i18next";
import { afterEach, describe, expect, it } from "vitest";
import { endSession, getSessionState, resetSessionForTests, type Group } from "../auth/session";
import { createI18n } from "../i18n";
import { json, renderConsole, testConfig } from "../test/render";
import { App } from "./App";

afterEach(() => {
  cleanup();
  resetSessionForTests();
});

const EMPTY: Record<string, unknown> = {
  "/admin/cases": { cases: [], next: null },
  "/admin/questions": { questions: [], next: null },
  "/admin/opportunities": { opportunities: [], next: null },
  "/admin/moderation": { contributions: [], next: null },
};

const emptyLists = (request: Request) => json(EMPTY[new URL(request.url).pathname] ?? {}, 200);

function navLinks(name = "Main") {
  const nav = screen.getByRole("navigation", { name });
  return within(nav)
    .queryAllByRole("link")
    .map((link) => link.textContent);
}

async function tabNames() {
  const tablist = await screen.findByRole("tablist", { name: "Lists" });
  return within(tablist)
    .getAllByRole("tab")
    .map((tab) => tab.textContent);
}

describe("the shell", () => {
  it("has a skip link, the landmarks, the user's email and sign-out", async () => {
    renderConsole({ groups: ["liaison-support"], respond: emptyLists });
    expect(screen.getByRole("link", { name: "Skip to content" }).getAttribute("href")).toBe("#main");
    expect(screen.getByRole("banner")).toBeDefined();
    expect(screen.getByRole("main").id).toBe("main");
    expect(screen.getByText("Signed in as camille@brand.example")).toBeDefined();
    expect(screen.getByRole("button", { name: "Sign out" })).toBeDefined();
    await screen.findByRole("heading", { level: 1, name: "Inbox" });
  });

  it.each<[Group[], (string | null)[]]>([
    [["liaison-admin"], ["Inbox", "Contacts", "Campaigns", "Reports", "Callbacks", "Referrals", "Rules", "Email templates", "Programmes", "Sources", "Connections"]],
    [["liaison-support"], ["Inbox", "Contacts", "Reports", "Rules"]],
    [["liaison-sales"], ["Inbox", "Contacts", "Reports", "Callbacks", "Referrals"]],
    [["liaison-marketer"], ["Inbox", "Campaigns", "Reports", "Referrals", "Email templates", "Programmes"]],
  ])("shows %j the screens it may use", async (groups, links) => {
    renderConsole({ groups, respond: emptyLists });
    expect(navLinks()).toEqual(links);
  });

  it("shows a user in no staff group no screen, and says why", async () => {
    renderConsole({ groups: [], path: "/" });
    expect(navLinks()).toEqual([]);
    expect(screen.getByText(/belongs to no staff group/)).toBeDefined();
  });

  it("does not open the inbox for a user in no staff group", async () => {
    const { requests } = renderConsole({ groups: [], path: "/inbox" });
    expect(screen.getByRole("heading", { level: 1, name: "Page not found" })).toBeDefined();
    expect(requests).toEqual([]);
  });

  it.each<[Group[], string[]]>([
    [["liaison-admin"], ["Cases", "Questions", "Opportunities", "Held contributions"]],
    [["liaison-support"], ["Cases", "Questions", "Held contributions"]],
    [["liaison-sales"], ["Opportunities"]],
    [["liaison-marketer"], ["Questions"]],
  ])("gives %j only the inbox tabs the API allows it", async (groups, tabs) => {
    const { requests } = renderConsole({ groups, respond: emptyLists });
    expect(await tabNames()).toEqual(tabs);
    await waitFor(() => expect(requests.length).toBeGreaterThan(0));
    expect(requests.every((r) => r.authorization?.startsWith("Bearer ") === true)).toBe(true);
  });

  it("switches to French at once", async () => {
    const user = userEvent.setup();
    const { i18n } = renderConsole({ groups: ["liaison-sales"], respond: emptyLists });
    const french = screen.getByRole("radio", { name: "Français" });
    expect(french.getAttribute("aria-checked")).toBe("false");
    await user.click(french);
    expect(i18n.language).toBe("fr");
    expect(french.getAttribute("aria-checked")).toBe("true");
    expect(navLinks("Principale")).toEqual(["À traiter", "Contacts", "Rapports", "Rappels", "Parrainage"]);
    expect(screen.getByRole("button", { name: "Se déconnecter" })).toBeDefined();
    expect(document.documentElement.lang).toBe("fr");
  });

  it("signs out: forgets the token and goes to the provider's logout", async () => {
    const user = userEvent.setup();
    const { go } = renderConsole({ groups: ["liaison-sales"], respond: emptyLists });
    await user.click(screen.getByRole("button", { name: "Sign out" }));
    expect(getSessionState()).toEqual({ session: null, ended: "signedOut" });
    expect(go).toHaveBeenCalledWith(
      "http://127.0.0.1:3000/oidc/logout?client_id=liaison-local&logout_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fconsole%2F",
    );
  });

  it("ends the session when the API answers 401", async () => {
    renderConsole({ groups: ["liaison-sales"], respond: () => json({ message: "Unauthorized" }, 401) });
    await waitFor(() => expect(getSessionState().ended).toBe("unauthorized"));
  });
});

describe("the landing page", () => {
  it("says the session ended, and offers to sign in again", () => {
    render(
      <I18nextProvider i18n={createI18n("en")}>
        <App config={testConfig} signInError={null} />
      </I18nextProvider>,
    );
    expect(screen.getByRole("button", { name: "Sign in" })).toBeDefined();
    act(() => endSession("expired"));
    expect(screen.getByText("Your session ended. Sign in again to continue.")).toBeDefined();
  });

  it("shows a sign-in error in words", () => {
    render(
      <I18nextProvider i18n={createI18n("fr")}>
        <App config={testConfig} signInError={{ code: "tokenRefused", detail: "invalid_grant" }} />
      </I18nextProvider>,
    );
    expect(screen.getByRole("heading", { level: 1, name: "La connexion a échoué" })).toBeDefined();
    expect(screen.getByText("Le service de connexion a répondu : invalid_grant")).toBeDefined();
  });
});
