// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { LANGUAGE_KEY, chosenLanguage, createI18n, detectLanguage, resources } from "./index";
import { learningResources } from "./learning";
import { programmesResources } from "./programmes";

/** Every key path of a nested translation object (an array's items by index: a list of
 * steps has as many in both languages), with its value. */
function leaves(value: unknown, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (typeof value === "object" && value !== null) {
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

// Every namespace: the shell's, each area's, and those loaded lazily (learning.ts, programmes.ts).
const everyNamespace = {
  en: { ...resources.en, learning: learningResources.en, programmes: programmesResources.en },
  fr: { ...resources.fr, learning: learningResources.fr, programmes: programmesResources.fr },
};

describe.each(Object.keys(everyNamespace.en) as (keyof typeof everyNamespace.en)[])("the %s translations", (namespace) => {
  const english = leaves(everyNamespace.en[namespace]);
  const french = leaves(everyNamespace.fr[namespace]);

  it("have the same keys in French and English", () => {
    expect([...french.keys()].sort()).toEqual([...english.keys()].sort());
  });

  it("are all non-empty strings, with the same placeholders in both languages", () => {
    for (const [key, value] of english) {
      // A {{ a.b }} would be read by i18next, not left for the email template it quotes.
      expect(value as string, key).not.toMatch(/\{\{\s*[a-z_]+\.[a-z_]/);
      expect(typeof value, key).toBe("string");
      expect((value as string).trim(), key).not.toBe("");
      const other = french.get(key);
      expect(typeof other, key).toBe("string");
      expect((other as string).trim(), key).not.toBe("");
      expect(placeholders(other as string), key).toEqual(placeholders(value as string));
    }
  });

});

describe("the language", () => {
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
