// The setup namespace: the same keys in French and English, with the same placeholders.
import { describe, expect, it } from "vitest";
import en from "../i18n/en/setup.json";
import fr from "../i18n/fr/setup.json";
import { PLATFORMS } from "./platforms";

function leaves(value: unknown, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) {
      for (const [path, leaf] of leaves(child, prefix === "" ? key : `${prefix}.${key}`)) out.set(path, leaf);
    }
  } else if (Array.isArray(value)) {
    out.set(`${prefix}.length`, value.length);
    value.forEach((item, index) => out.set(`${prefix}.${index}`, item));
  } else {
    out.set(prefix, value);
  }
  return out;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*([a-zA-Z]+)/g)].map((m) => m[1] ?? "").sort();

describe("the setup screens' words", () => {
  const english = leaves(en);
  const french = leaves(fr);

  it("have the same keys (and as many steps) in French and English", () => {
    expect([...french.keys()].sort()).toEqual([...english.keys()].sort());
  });

  it("are non-empty, with the same placeholders in both languages", () => {
    for (const [key, value] of english) {
      if (key.endsWith(".length")) continue;
      expect(typeof value, key).toBe("string");
      expect((value as string).trim(), key).not.toBe("");
      const other = french.get(key) as string;
      expect(other.trim(), key).not.toBe("");
      expect(placeholders(other), key).toEqual(placeholders(value as string));
    }
  });

  it("give every platform its steps", () => {
    for (const platform of PLATFORMS) {
      expect(Array.isArray(en.instructions[platform]), platform).toBe(true);
      expect(en.instructions[platform].length, platform).toBeGreaterThan(2);
    }
  });
});
