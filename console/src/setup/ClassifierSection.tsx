// On the rules page, for administrators: whether contributions the brand's rules did not
// label go to the hosted model (Amazon Bedrock), its daily budget, and what it did and cost
// over the last 30 days. Off by default: nothing leaves AWS until an administrator turns it on.

import { useState, type FormEvent } from "react";
import { Button } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { mayUse } from "../access";
import { useConsole } from "../app/context";
import { fallbacksOf, lastDays, parseBudget, useClassifier, useClassifierReport, useSaveClassifier, type ClassifierSetting } from "./classifier";
import { focusError, formErrorFrom, type FormError } from "./fieldErrors";
import { Check, FormAlert, QueryStates, TextInput, useErrorText, When } from "./ui";

const FORM = "classifier";
const FIELDS = ["enabled", "daily_budget_usd"] as const;

function ClassifierForm({ setting }: { setting: ClassifierSetting }) {
  const { t } = useTranslation("setup");
  const wording = useErrorText();
  const save = useSaveClassifier();
  const [enabled, setEnabled] = useState(setting.enabled);
  const [budget, setBudget] = useState(String(setting.daily_budget_usd));
  const [error, setError] = useState<FormError | null>(null);
  const [said, setSaid] = useState<string | null>(null);
  const min = setting.min_daily_budget_usd;
  const max = setting.max_daily_budget_usd;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaid(null);
    const parsed = parseBudget(budget, min, max);
    if (!parsed.ok) {
      const refused = { field: "daily_budget_usd", message: t(`classifier.budgetInvalid.${parsed.reason}`, { min, max }) };
      setError(refused);
      focusError(FORM, refused);
      return;
    }
    setError(null);
    save.mutate(
      { enabled, daily_budget_usd: parsed.value },
      {
        onSuccess: (saved) => setSaid(saved.enabled ? t("classifier.savedOn") : t("classifier.savedOff")),
        onError: (failure) => {
          const refused = formErrorFrom(failure, FIELDS, wording);
          setError(refused);
          focusError(FORM, refused);
        },
      },
    );
  };
  return (
    <form id={FORM} className="form" onSubmit={submit} noValidate aria-describedby={error === null ? undefined : `${FORM}-error`}>
      <p className="field-help">{t("classifier.model", { model: setting.model_id })}</p>
      <Check isSelected={enabled} onChange={setEnabled}>
        {t("classifier.enabled")}
      </Check>
      <TextInput
        form={FORM}
        name="daily_budget_usd"
        label={t("classifier.budget")}
        help={t("classifier.budgetHelp", { min, max })}
        value={budget}
        onChange={setBudget}
        error={error}
        inputMode="decimal"
        isRequired
      />
      <FormAlert form={FORM} error={error} />
      <div className="form-actions">
        <Button type="submit" className="button primary" isDisabled={save.isPending}>
          {save.isPending ? t("common.saving") : t("common.save")}
        </Button>
      </div>
      <p role="status" className="announcement">
        {said}
      </p>
      {setting.updated_at !== null && setting.updated_at !== undefined ? (
        <p className="field-help">
          {t("classifier.updated")} <When value={setting.updated_at} /> {setting.updated_by ?? ""}
        </p>
      ) : null}
    </form>
  );
}

function ClassifierSummary() {
  const { t } = useTranslation("setup");
  const [range] = useState(() => lastDays(new Date()));
  const query = useClassifierReport(range.from, range.to);
  return (
    <QueryStates query={query}>
      {(report) => {
        const fallbacks = fallbacksOf(report);
        return (
          <dl className="item-fields" aria-label={t("classifier.summary", { days: report.days.length })}>
            <div className="field">
              <dt>{t("classifier.calls")}</dt>
              <dd>{report.total.calls}</dd>
            </div>
            <div className="field">
              <dt>{t("classifier.hosted")}</dt>
              <dd>{report.total.hosted}</dd>
            </div>
            <div className="field">
              <dt>{t("classifier.fallbacks")}</dt>
              <dd>
                {fallbacks.length === 0
                  ? t("common.none")
                  : fallbacks.map((f) => t("classifier.fallback", { reason: t(`classifier.reasons.${f.reason}`, { defaultValue: f.reason }), count: f.count })).join(", ")}
              </dd>
            </div>
            <div className="field">
              <dt>{t("classifier.cost")}</dt>
              <dd>{t("classifier.dollars", { value: report.total.cost_usd })}</dd>
            </div>
          </dl>
        );
      }}
    </QueryStates>
  );
}

/** Shown to administrators only: the setting is theirs (the API refuses anyone else). */
export function ClassifierSection() {
  const { session } = useConsole();
  return mayUse(["liaison-admin"], session.groups) ? <ClassifierPanel /> : null;
}

function ClassifierPanel() {
  const { t } = useTranslation("setup");
  const setting = useClassifier();
  return (
    <section className="section" aria-labelledby="classifier-title">
      <h2 id="classifier-title">{t("classifier.title")}</h2>
      <p className="hint">{t("classifier.intro")}</p>
      <QueryStates query={setting}>{(current) => <ClassifierForm setting={current} />}</QueryStates>
      <h3>{t("classifier.last30")}</h3>
      <ClassifierSummary />
    </section>
  );
}
