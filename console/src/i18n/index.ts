// French and English; the language comes from the browser and may be switched. The choice
// is kept in sessionStorage (this tab only, never a token), so that it survives the trips
// to the sign-in and sign-out pages.

import i18next, { type i18n as I18n } from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./en.json";
import enCampaigns from "./en/campaigns.json";
import enPeople from "./en/people.json";
import enSetup from "./en/setup.json";
import fr from "./fr.json";
import frCampaigns from "./fr/campaigns.json";
import frPeople from "./fr/people.json";
import frSetup from "./fr/setup.json";

export const LANGUAGES = ["fr", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

/** One namespace per area (`t("campaigns:…")`), besides the shell's `translation`. */
export const resources = {
  en: { translation: en, campaigns: enCampaigns, people: enPeople, setup: enSetup },
  fr: { translation: fr, campaigns: frCampaigns, people: frPeople, setup: frSetup },
} as const;

/** French when the browser's first French-or-English preference is French, else English. */
export function detectLanguage(preferences: readonly string[] = browserPreferences()): Language {
  for (const tag of preferences) {
    const primary = tag.toLowerCase().split("-")[0];
    if (primary === "fr" || primary === "en") return primary;
  }
  return "en";
}

function browserPreferences(): readonly string[] {
  if (typeof navigator === "undefined") return [];
  if (navigator.languages !== undefined && navigator.languages.length > 0) return navigator.languages;
  return navigator.language ? [navigator.language] : [];
}

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

/** The one sessionStorage key besides a sign-in in progress. */
export const LANGUAGE_KEY = "liaison.console.language";

/** The language chosen earlier in this tab, if any. */
export function chosenLanguage(): Language | null {
  try {
    const value = typeof window === "undefined" ? null : window.sessionStorage.getItem(LANGUAGE_KEY);
    return value !== null && isLanguage(value) ? value : null;
  } catch {
    return null;
  }
}

function rememberLanguage(language: string): void {
  try {
    if (typeof window !== "undefined" && isLanguage(language)) window.sessionStorage.setItem(LANGUAGE_KEY, language);
  } catch {
    // Storage refused (private mode, quota): the choice lasts until the page is left.
  }
}

/** A ready i18next instance (synchronous: the translations are bundled). */
export function createI18n(language: Language = chosenLanguage() ?? detectLanguage()): I18n {
  const instance = i18next.createInstance();
  void instance.use(initReactI18next).init({
    resources,
    lng: language,
    fallbackLng: "en",
    supportedLngs: [...LANGUAGES],
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
  });
  syncDocumentLanguage(instance.language);
  instance.on("languageChanged", (lng) => {
    syncDocumentLanguage(lng);
    rememberLanguage(lng);
  });
  return instance;
}

function syncDocumentLanguage(language: string): void {
  if (typeof document !== "undefined") document.documentElement.lang = language;
}

/** The language an instance speaks now, as one of ours. */
export function currentLanguage(instance: I18n): Language {
  const language = instance.resolvedLanguage ?? instance.language;
  return isLanguage(language) ? language : "en";
}
