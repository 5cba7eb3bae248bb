import { describe, expect, it } from "vitest";
import en from "../i18n/en/campaigns.json";
import fr from "../i18n/fr/campaigns.json";

function leaves(value: unknown, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) {
      for (const [path, leaf] of leaves(child, prefix === "" ? key : `${prefix}.${key}`)) out.set(path, leaf);
    }
  } else {
    out.set(prefix, value);
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*([a-zA-Z]+)/g)].map((m) => m[1] ?? "").sort();

describe("the campaigns' translations", () => {
  const english = leaves(en);
  const french = leaves(fr);

  it("have the same keys in French and English", () => {
    expect([...french.keys()].sort()).toEqual([...english.keys()].sort());
  });

  it("are non-empty strings with the same placeholders, and no template syntax for i18next to read", () => {
    for (const [key, value] of english) {
      const other = french.get(key);
      expect(typeof value, key).toBe("string");
      expect(typeof other, key).toBe("string");
      expect((value as string).trim(), key).not.toBe("");
      expect((other as string).trim(), key).not.toBe("");
      expect(placeholders(other as string), key).toEqual(placeholders(value as string));
      expect(value as string, key).not.toMatch(/\{\{\s*[a-z_]+\.[a-z_]/);
    }
  });
});
