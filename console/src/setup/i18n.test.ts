// The setup namespace's steps: each platform has its own (the same keys in both languages,
// and as many steps, are checked with every namespace in src/i18n/i18n.test.ts).
import { describe, expect, it } from "vitest";
import en from "../i18n/en/setup.json";
import { PLATFORMS } from "./platforms";

describe("the setup screens' words", () => {
  it("give every platform its steps", () => {
    for (const platform of PLATFORMS) {
      expect(Array.isArray(en.instructions[platform]), platform).toBe(true);
      expect(en.instructions[platform].length, platform).toBeGreaterThan(2);
    }
  });
});
