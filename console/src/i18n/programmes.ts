// The "programmes" namespace (the brand's partner, affiliate, tester, media and association
// lists): used only by the programmes setup page, which loads lazily, so its strings stay
// out of the first load. Added to the i18n instance on first use, both languages at once.

import { useTranslation } from "react-i18next";
import { LANGUAGES } from "./index";
import en from "./en/programmes.json";
import fr from "./fr/programmes.json";

export const PROGRAMMES_NAMESPACE = "programmes";
export const programmesResources = { en, fr } as const;

/** `useTranslation("programmes")`, the namespace added first when this instance lacks it. */
export function useProgrammesTranslation() {
  const { i18n } = useTranslation();
  for (const language of LANGUAGES) {
    if (!i18n.hasResourceBundle(language, PROGRAMMES_NAMESPACE)) {
      i18n.addResourceBundle(language, PROGRAMMES_NAMESPACE, programmesResources[language], true, false);
    }
  }
  return useTranslation(PROGRAMMES_NAMESPACE);
}
