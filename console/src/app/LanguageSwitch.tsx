import { ToggleButton, ToggleButtonGroup, type Key } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { LANGUAGES, currentLanguage, isLanguage } from "../i18n";

/** FR / EN: switches the language at once (kept in memory only). */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const language = currentLanguage(i18n);
  const select = (keys: Set<Key>) => {
    const [key] = [...keys];
    if (typeof key === "string" && isLanguage(key) && key !== language) void i18n.changeLanguage(key);
  };
  return (
    <ToggleButtonGroup
      className="language-switch"
      aria-label={t("app.language")}
      selectionMode="single"
      disallowEmptySelection
      selectedKeys={[language]}
      onSelectionChange={select}
    >
      {LANGUAGES.map((lng) => (
        <ToggleButton key={lng} id={lng} className="toggle" lang={lng} aria-label={t(`app.languageNames.${lng}`)}>
          {lng.toUpperCase()}
        </ToggleButton>
      ))}
    </ToggleButtonGroup>
  );
}
