// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import en from "./en.json";
import fr from "./fr.json";
import { LANGUAGE_KEY, chosenLanguage, createI18n, detectLanguage } from "./index";

/** Every key path of a nested translation object, with its value. */
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

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([a-zA-Z]+)/g)].map((m) => m[1] ?? "").sort();
}

describe("the translations", () => {
  const english = leaves(en);
  const french = leaves(fr);

  it("have the same keys in French and English", () => {
    expect([...french.keys()].sort()).toEqual([...english.keys()].sort());
  });

  it("are all non-empty strings, with the same placeholders in both languages", () => {
    for (const [key, value] of english) {
      expect(typeof value, key).toBe("string");
      expect((value as string).trim(), key).not.toBe("");
      const other = french.get(key);
      expect(typeof other, key).toBe("string");
      expect((other as string).trim(), key).not.toBe("");
      expect(placeholders(other as string), key).toEqual(placeholders(value as string));
    }
  });

  it("follow the browser's language, French or else English", () => {
    expect(detectLanguage(["fr-FR", "en-US"])).toBe("fr");
    expect(detectLanguage(["de-DE", "en-GB", "fr"])).toBe("en");
    expect(detectLanguage(["de-DE", "fr-CA"])).toBe("fr");
    expect(detectLanguage(["de-DE"])).toBe("en");
    expect(detectLanguage([])).toBe("en");
  });

  it("switch language in place, and keep the choice for this tab only (sessionStorage)", async () => {
    window.sessionStorage.clear();
    const i18n = createI18n("en");
    expect(i18n.t("app.signOut")).toBe("Sign out");
    await i18n.changeLanguage("fr");
    expect(i18n.t("app.signOut")).toBe("Se déconnecter");
    expect(document.documentElement.lang).toBe("fr");
    expect(window.sessionStorage.getItem(LANGUAGE_KEY)).toBe("fr");
    expect(window.localStorage.length).toBe(0);
    expect(chosenLanguage()).toBe("fr");
    expect(createI18n().language).toBe("fr");
    window.sessionStorage.setItem(LANGUAGE_KEY, "de");
    expect(chosenLanguage()).toBeNull();
  });
});
