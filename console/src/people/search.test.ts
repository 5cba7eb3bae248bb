import { describe, expect, it } from "vitest";
import { EMPTY_FORM, formFor, fromSearchParams, platformParam, searchTarget, toSearchParams, type SearchForm } from "./search";

const form = (overrides: Partial<SearchForm>): SearchForm => ({ ...EMPTY_FORM, ...overrides });

describe("the contact search's parameters", () => {
  it("ask by email, trimmed", () => {
    expect(searchTarget(form({ mode: "email", email: "  dominique@example.com " }))).toEqual({
      ok: true,
      kind: "query",
      query: { email: "dominique@example.com" },
    });
    expect(searchTarget(form({ mode: "email", email: " " }))).toEqual({ ok: false, problem: "emailMissing" });
    expect(searchTarget(form({ mode: "email", email: "not an address" }))).toEqual({ ok: false, problem: "emailInvalid" });
  });

  it("ask by platform with a handle or an account", () => {
    expect(searchTarget(form({ mode: "handle", platform: "x", handle: " @dom " }))).toEqual({
      ok: true,
      kind: "query",
      query: { platform: "x", handle: "@dom" },
    });
    expect(searchTarget(form({ mode: "account", platform: "meta", account: "12345" }))).toEqual({
      ok: true,
      kind: "query",
      query: { platform: "meta", account: "12345" },
    });
    expect(searchTarget(form({ mode: "handle", platform: "x", handle: "" }))).toEqual({ ok: false, problem: "handleMissing" });
    expect(searchTarget(form({ mode: "account", platform: "x", account: " " }))).toEqual({ ok: false, problem: "accountMissing" });
  });

  it("name a Standard Webhooks source's own platform, and require its id", () => {
    expect(platformParam("standard-webhooks", " src_abc ")).toBe("standard-webhooks@src_abc");
    expect(platformParam("youtube", "src_abc")).toBe("youtube");
    expect(searchTarget(form({ mode: "handle", platform: "standard-webhooks", handle: "dom" }))).toEqual({
      ok: false,
      problem: "sourceMissing",
    });
    expect(searchTarget(form({ mode: "account", platform: "standard-webhooks", sourceId: "src_1", account: "u-9" }))).toEqual({
      ok: true,
      kind: "query",
      query: { platform: "standard-webhooks@src_1", account: "u-9" },
    });
  });

  it("go straight to a contact by id", () => {
    expect(searchTarget(form({ mode: "id", id: " ct_123 " }))).toEqual({ ok: true, kind: "id", id: "ct_123" });
    expect(searchTarget(form({ mode: "id", id: "" }))).toEqual({ ok: false, problem: "idMissing" });
  });

  it("round-trip through the page's URL", () => {
    const queries = [
      { email: "a@example.com" },
      { platform: "x", handle: "dom" },
      { platform: "standard-webhooks@src_1", account: "u-9" },
    ];
    for (const query of queries) {
      const params = new URLSearchParams(toSearchParams(query));
      expect(fromSearchParams(params)).toEqual(query);
    }
    expect(fromSearchParams(new URLSearchParams(""))).toBeNull();
    expect(fromSearchParams(new URLSearchParams("platform=x"))).toBeNull();
    // As the API reads it: an email wins.
    expect(fromSearchParams(new URLSearchParams("email=a@example.com&platform=x&handle=dom"))).toEqual({ email: "a@example.com" });
  });

  it("refill the form from a query", () => {
    expect(formFor(null)).toEqual(EMPTY_FORM);
    expect(formFor({ email: "a@example.com" })).toMatchObject({ mode: "email", email: "a@example.com" });
    expect(formFor({ platform: "standard-webhooks@src_1", account: "u-9" })).toMatchObject({
      mode: "account",
      platform: "standard-webhooks",
      sourceId: "src_1",
      account: "u-9",
    });
    expect(formFor({ platform: "youtube", handle: "dom" })).toMatchObject({ mode: "handle", platform: "youtube", sourceId: "", handle: "dom" });
  });
});
