// The "learning" namespace (what a label came from, relabelling, closing with what it really
// was, the classifier measured on staff's corrections): used only by screens that load
// lazily (a conversation, the reports) and by the moderation list's lazy part, so its
// strings stay out of the first load. Added to the i18n instance on first use, both
// languages at once (a language switch then needs nothing more).

import { useTranslation } from "react-i18next";
import { LANGUAGES } from "./index";
import en from "./en/learning.json";
import fr from "./fr/learning.json";

export const LEARNING_NAMESPACE = "learning";
export const learningResources = { en, fr } as const;

/** `useTranslation("learning")`, the namespace added first when this instance lacks it. */
export function useLearningTranslation() {
  const { i18n } = useTranslation();
  for (const language of LANGUAGES) {
    if (!i18n.hasResourceBundle(language, LEARNING_NAMESPACE)) {
      i18n.addResourceBundle(language, LEARNING_NAMESPACE, learningResources[language], true, false);
    }
  }
  return useTranslation(LEARNING_NAMESPACE);
}
