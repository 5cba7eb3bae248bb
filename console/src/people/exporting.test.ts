// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import { downloadJson, exportedItems, exportFileName, fullExport } from "./exporting";
import type { ContactExport } from "./queries";

afterEach(() => {
  vi.useRealTimers();
});

describe("a contact's export", () => {
  it("follows each kind's cursor until nothing more remains", async () => {
    const parts: Record<string, ContactExport> = {
      first: {
        id: "ct_1",
        profile: { type: "customer" },
        identities: [{ kind: "email", value: "a@example.com" }],
        contributions: [{ id: "evt_1" }],
        emails: [{ id: "eml_1" }],
        cases: [],
        more: { contributions: "c1", emails: "e1" },
      },
      "contributions/c1": { id: "ct_1", contributions: [{ id: "evt_2" }], more: { contributions: "c2" } },
      "contributions/c2": { id: "ct_1", contributions: [{ id: "evt_3" }], more: {} },
      "emails/e1": { id: "ct_1", emails: [{ id: "eml_2" }], more: {} },
    };
    const asked: string[] = [];
    const whole = await fullExport((part) => {
      const key = part === null ? "first" : `${part.kind}/${part.after}`;
      asked.push(key);
      const answer = parts[key];
      return answer === undefined ? Promise.reject(new Error(key)) : Promise.resolve(answer);
    });
    expect(asked).toEqual(["first", "contributions/c1", "emails/e1", "contributions/c2"]);
    expect(whole.contributions).toEqual([{ id: "evt_1" }, { id: "evt_2" }, { id: "evt_3" }]);
    expect(whole.emails).toEqual([{ id: "eml_1" }, { id: "eml_2" }]);
    expect(whole.identities).toEqual([{ kind: "email", value: "a@example.com" }]);
    expect(whole.more).toEqual({});
    expect(exportedItems(whole)).toBe(5);
  });

  it("is named after the contact and the day", () => {
    expect(exportFileName("ct_abc", Date.parse("2026-12-07T09:00:00Z"))).toBe("contact-ct_abc-2026-12-07.json");
    expect(exportFileName("../x y", Date.parse("2026-12-07T09:00:00Z"))).toBe("contact-___x_y-2026-12-07.json");
  });

  it("is downloaded from a Blob's object URL, revoked afterwards", async () => {
    vi.useFakeTimers();
    const created: Blob[] = [];
    const createObjectURL = vi.fn((blob: Blob) => {
      created.push(blob);
      return "blob:http://127.0.0.1:3000/1";
    });
    const revokeObjectURL = vi.fn();
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL, revokeObjectURL }));
    const clicked: HTMLAnchorElement[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });
    downloadJson("contact-ct_1.json", { id: "ct_1" });
    expect(click).toHaveBeenCalledOnce();
    expect(clicked[0]?.download).toBe("contact-ct_1.json");
    expect(clicked[0]?.href).toBe("blob:http://127.0.0.1:3000/1");
    expect(clicked[0]?.isConnected).toBe(false);
    expect(created[0]?.type).toBe("application/json");
    expect(JSON.parse(await created[0]!.text())).toEqual({ id: "ct_1" });
    expect(revokeObjectURL).not.toHaveBeenCalled();
    vi.runAllTimers();
    expect(revokeObjectURL).toHaveBeenCalledWith("blob:http://127.0.0.1:3000/1");
  });
});
