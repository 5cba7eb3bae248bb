// /console/templates (admins, marketers): the verification email's wording in French and in
// English, its variables, a live preview as it is typed (the API renders it with the sample
// values, after the checks a save makes), saving one language's wording (checked by the API
// first) and bringing the default back.

import { useState, type FormEvent } from "react";
import { Button, Form, Tab, TabList, TabPanel, Tabs, type Key } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { useScreenTitle } from "../lib/title";
import { focusError, formErrorFrom, type FormError } from "./fieldErrors";
import { useResetTemplate, useSaveTemplate, useVerificationTemplate, type TemplateLanguage, type TemplateView } from "./queries";
import { useLivePreview } from "./livePreview";
import { ConfirmButton, FormAlert, QueryStates, TextInput, useDate, useErrorText } from "./ui";

const FIELDS = ["subject", "text"] as const;

/**
 * The wording as it reads with the sample values, beside the editor (below it on a phone):
 * plain text, never HTML. While what is typed has not rendered yet (or was refused), the
 * last good preview stays, marked out of date.
 */
function LivePreviewPanel({
  form,
  preview,
  refusal,
}: {
  form: string;
  preview: ReturnType<typeof useLivePreview>;
  /** The API's refusal of the wording as typed, as a form error (on `subject` or `text`, or none). */
  refusal: FormError | null;
}) {
  const { t } = useTranslation("setup");
  const fieldName = (field: string) => (field === "subject" ? t("templates.subject") : t("templates.text"));
  const headingId = `${form}-preview`;
  let status: string | null = null;
  if (refusal !== null) {
    if (refusal.field === null) status = t("templates.previewFailed", { message: refusal.message });
    else if (preview.shown === null) status = t("templates.previewNone", { field: fieldName(refusal.field) });
    else status = t("templates.previewStaleField", { field: fieldName(refusal.field) });
  }
  return (
    <section className={`section template-live${preview.stale ? " stale" : ""}`} aria-labelledby={headingId} aria-busy={preview.updating}>
      <div className="section-header">
        <h2 id={headingId}>{t("templates.preview")}</h2>
        {preview.stale ? (
          <span className="badge stale-badge">{t("templates.previewStale")}</span>
        ) : null}
      </div>
      <p className="field-help">{t("templates.previewHelp")}</p>
      {/* Only what went wrong is announced: "updating" at each pause in the typing would be noise. */}
      <p role="status" className="status-line preview-status">
        {status}
      </p>
      {status === null ? (
        <p className="status-line preview-status">
          {preview.shown === null ? t("templates.previewLoading") : preview.updating ? t("templates.previewUpdating") : null}
        </p>
      ) : null}
      {preview.shown !== null ? (
        <div className="preview-body">
          <p className="preview-subject">
            <strong>{t("templates.previewSubject")}</strong> {preview.shown.rendered.subject}
          </p>
          <p className="visually-hidden">{t("templates.previewText")}</p>
          <pre className="template-preview">{preview.shown.rendered.text}</pre>
        </div>
      ) : null}
    </section>
  );
}

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
  const preview = useLivePreview({ subject, text });
  const refusal = preview.error === null ? null : formErrorFrom(preview.error, FIELDS, wording);
  // A failed save's error first; else the preview's refusal, on the field it names.
  const shownError = error ?? (refusal !== null && refusal.field !== null ? refusal : null);
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
          const next = formErrorFrom(failure, FIELDS, wording);
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
      <div className="template-editor">
        <div className="template-form">
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
              error={shownError}
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
              error={shownError}
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
        </div>
        <LivePreviewPanel form={form} preview={preview} refusal={refusal} />
      </div>
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
