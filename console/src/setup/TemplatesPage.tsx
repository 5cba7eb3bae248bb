// /console/templates (admins, marketers): the verification email's wording in French and in
// English, its variables, saving one language's wording (checked by the API first) and
// bringing the default back. The API offers no preview: the saved wording is shown as is.

import { useState, type FormEvent } from "react";
import { Button, Form, Tab, TabList, TabPanel, Tabs, type Key } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { useScreenTitle } from "../lib/title";
import { focusError, formErrorFrom, type FormError } from "./fieldErrors";
import { useResetTemplate, useSaveTemplate, useVerificationTemplate, type TemplateLanguage, type TemplateView } from "./queries";
import { ConfirmButton, FormAlert, QueryStates, TextInput, useDate, useErrorText } from "./ui";

const LANGUAGES: readonly TemplateLanguage[] = ["fr", "en"];

function Wording({
  view,
  language,
  setSaid,
}: {
  view: TemplateView;
  language: TemplateLanguage;
  /** Says what was done (kept by the page: the editor starts again from a new saved wording). */
  setSaid: (said: string | null) => void;
}) {
  const { t } = useTranslation("setup");
  const date = useDate();
  const wording = useErrorText();
  const saved = view[language];
  const save = useSaveTemplate(language);
  const reset = useResetTemplate(language);
  const [subject, setSubject] = useState(saved.subject);
  const [text, setText] = useState(saved.text);
  const [error, setError] = useState<FormError | null>(null);
  const form = `template-${language}`;
  const languageName = t(`templates.languages.${language}`);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (save.isPending) return;
    setSaid(null);
    const missing = subject.trim() === "" ? "subject" : text.trim() === "" ? "text" : null;
    if (missing !== null) {
      const next = { field: missing, message: t("common.required") };
      setError(next);
      requestAnimationFrame(() => focusError(form, next));
      return;
    }
    save.mutate(
      { subject, text },
      {
        onSuccess: () => setSaid(t("templates.saved")),
        onError: (failure) => {
          const next = formErrorFrom(failure, ["subject", "text"], wording);
          setError(next);
          requestAnimationFrame(() => focusError(form, next));
        },
      },
    );
  };

  return (
    <>
      <p className="notice">
        {saved.custom
          ? saved.updated_at !== undefined
            ? t("templates.custom", { date: date(saved.updated_at), who: saved.updated_by ?? "" })
            : t("templates.customNoDate")
          : t("templates.default")}
      </p>
      <section className="section" aria-labelledby={`${form}-variables`}>
        <h2 id={`${form}-variables`}>{t("templates.variables")}</h2>
        <ul className="variables">
          {view.variables.map((variable) => (
            <li key={variable.name}>
              <code>{`{{ ${variable.name} }}`}</code> {t("templates.sample", { sample: variable.sample })}
              {variable.required ? <strong> ({t("templates.requiredVariable")})</strong> : null}
            </li>
          ))}
        </ul>
      </section>
      <Form className="setup-form" validationBehavior="aria" onSubmit={onSubmit}>
        <TextInput
          form={form}
          name="subject"
          label={t("templates.subject")}
          help={t("templates.subjectHelp")}
          value={subject}
          onChange={(value) => {
            setSubject(value);
            setError(null);
          }}
          error={error}
          isRequired
          maxLength={200}
        />
        <TextInput
          form={form}
          name="text"
          label={t("templates.text")}
          help={t("templates.textHelp")}
          value={text}
          onChange={(value) => {
            setText(value);
            setError(null);
          }}
          error={error}
          isRequired
          multiline
          rows={12}
          maxLength={10000}
        />
        <FormAlert form={form} error={error} />
        <div className="button-row">
          <Button type="submit" className="button primary" isDisabled={save.isPending}>
            {save.isPending ? t("common.saving") : t("templates.save", { language: languageName })}
          </Button>
        </div>
      </Form>
      {saved.custom ? (
        <div className="button-row">
          <ConfirmButton
            label={t("templates.reset")}
            question={t("templates.resetConfirm", { language: languageName })}
            confirmLabel={t("templates.reset")}
            pendingLabel={t("common.saving")}
            isPending={reset.isPending}
            onConfirm={() =>
              reset.mutate(undefined, {
                onSuccess: () => {
                  setSaid(t("templates.resetDone"));
                  setError(null);
                },
              })
            }
          />
        </div>
      ) : null}
      {reset.isError ? (
        <p role="alert" className="error">
          {t("common.failed", { message: wording(reset.error) })}
        </p>
      ) : null}
      <section className="section" aria-labelledby={`${form}-preview`}>
        <h2 id={`${form}-preview`}>{t("templates.preview")}</h2>
        <p className="field-help">{t("templates.previewHelp")}</p>
        <p>
          <strong>{t("templates.previewSubject")}</strong> {saved.subject}
        </p>
        <pre className="template-preview">{saved.text}</pre>
      </section>
    </>
  );
}

export function TemplatesPage() {
  const { t } = useTranslation("setup");
  useScreenTitle(t("templates.title"));
  const query = useVerificationTemplate();
  const [selected, setSelected] = useState<TemplateLanguage>("fr");
  const [said, setSaid] = useState<Record<TemplateLanguage, string | null>>({ fr: null, en: null });
  const select = (key: Key) => {
    const language = LANGUAGES.find((l) => l === key);
    if (language !== undefined) setSelected(language);
  };
  return (
    <>
      <h1>{t("templates.title")}</h1>
      <p className="hint">{t("templates.intro")}</p>
      <QueryStates query={query}>
        {(view) => (
          <Tabs className="tabs" selectedKey={selected} onSelectionChange={select}>
            <TabList className="tab-list" aria-label={t("templates.languagesLabel")}>
              {LANGUAGES.map((language) => (
                <Tab key={language} id={language} className="tab">
                  {t(`templates.languages.${language}`)}
                </Tab>
              ))}
            </TabList>
            {LANGUAGES.map((language) => (
              <TabPanel key={language} id={language} className="tab-panel">
                {/* A new saved wording (after a save or a reset) starts the editor again from it. */}
                <Wording
                  key={`${view[language].custom}-${view[language].subject}-${view[language].text}`}
                  view={view}
                  language={language}
                  setSaid={(next) => setSaid((all) => ({ ...all, [language]: next }))}
                />
                <p role="status" className="announcement">
                  {said[language]}
                </p>
              </TabPanel>
            ))}
          </Tabs>
        )}
      </QueryStates>
    </>
  );
}
