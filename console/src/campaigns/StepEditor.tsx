// One step of the sequence: when it goes, its email (subject, HTML and text templates), an
// incentive code, an optional variant B; buttons to move it, remove it and preview it.

import type { ReactNode } from "react";
import { Button } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { inputId } from "./fields";
import { minutesOf, type ContentForm, type StepForm } from "./form";
import { CheckBox, DurationInput, TemplateInput, TextInput } from "./parts";
import { useDelayText } from "./words";

/** The variables a template may use (docs/relaunch.md), shown beside the templates. */
const VARIABLES = [
  "contact.first_name",
  "cart.lines[] (title, quantity, unit_price, line_total, image_url, url)",
  "cart.total",
  "cart.currency",
  "cart.recovery_url",
  "incentive_code",
  "unsubscribe_url",
  "callback_url",
] as const;

export function Variables() {
  const { t } = useTranslation("campaigns");
  return (
    <details className="cmp-variables">
      <summary>{t("step.variables")}</summary>
      <p className="cmp-help">
        {t("step.variablesHelp")} <code>{"{{ contact.first_name or '' }}"}</code>
      </p>
      <ul>
        {VARIABLES.map((name) => (
          <li key={name}>
            <code>{`{{ ${name} }}`}</code>
          </li>
        ))}
      </ul>
    </details>
  );
}

function ContentFields({
  prefix,
  content,
  onChange,
}: {
  prefix: string;
  content: ContentForm;
  onChange: (change: Partial<ContentForm>, path: string) => void;
}) {
  const { t } = useTranslation("campaigns");
  return (
    <>
      <TextInput
        path={`${prefix}.subject`}
        label={t("step.subject")}
        description={t("step.subjectHelp")}
        value={content.subject}
        onChange={(subject) => onChange({ subject }, `${prefix}.subject`)}
        isRequired
        maxLength={200}
        spellCheck
      />
      <TemplateInput
        path={`${prefix}.html`}
        label={t("step.html")}
        description={
          <>
            {t("step.htmlHelp")} <code>{'<a href="{{ unsubscribe_url }}">'}</code>
          </>
        }
        value={content.html}
        onChange={(html) => onChange({ html }, `${prefix}.html`)}
        rows={8}
      />
      <TemplateInput
        path={`${prefix}.text`}
        label={t("step.text")}
        description={t("step.textHelp")}
        value={content.text}
        onChange={(text) => onChange({ text }, `${prefix}.text`)}
      />
    </>
  );
}

export function StepEditor({
  index,
  count,
  step,
  onChange,
  onMove,
  onRemove,
  previewOpen,
  onTogglePreview,
  preview,
}: {
  index: number;
  count: number;
  step: StepForm;
  /** A change to the step, and the path of the input it came from. */
  onChange: (change: (step: StepForm) => StepForm, path: string) => void;
  onMove: (to: number) => void;
  onRemove: () => void;
  previewOpen: boolean;
  onTogglePreview: () => void;
  preview: ReactNode;
}) {
  const { t } = useTranslation("campaigns");
  const delayText = useDelayText();
  const prefix = `steps[${index}]`;
  const n = index + 1;
  const minutes = minutesOf(step.delay);
  const previewId = `${step.key}-preview`;
  return (
    <li className="cmp-step">
      <fieldset className="cmp-fieldset">
        <legend className="cmp-step-title">
          {t("step.title", { n })}
          {Number.isNaN(minutes) ? null : <span className="cmp-step-when"> · {delayText(minutes)}</span>}
        </legend>
        <div className="cmp-step-tools" role="group" aria-label={t("step.tools", { n })}>
          <Button
            id={`${step.key}-up`}
            className="button"
            isDisabled={index === 0}
            aria-label={t("step.moveUpLabel", { n })}
            onPress={() => onMove(index - 1)}
          >
            {t("step.moveUp")}
          </Button>
          <Button
            id={`${step.key}-down`}
            className="button"
            isDisabled={index === count - 1}
            aria-label={t("step.moveDownLabel", { n })}
            onPress={() => onMove(index + 1)}
          >
            {t("step.moveDown")}
          </Button>
          <Button
            className="button cmp-danger"
            isDisabled={count === 1}
            aria-label={t("step.removeLabel", { n })}
            onPress={onRemove}
          >
            {t("step.remove")}
          </Button>
        </div>
        <DurationInput
          path={`${prefix}.delay_minutes`}
          label={t("step.delay")}
          description={t("step.delayHelp")}
          value={step.delay}
          onChange={(delay) => onChange((s) => ({ ...s, delay }), `${prefix}.delay_minutes`)}
        />
        <ContentFields
          prefix={prefix}
          content={step.content}
          onChange={(change, path) => onChange((s) => ({ ...s, content: { ...s.content, ...change } }), path)}
        />
        <Variables />
        <TextInput
          path={`${prefix}.incentive_code`}
          label={t("step.incentive")}
          description={
            <>
              {t("step.incentiveHelp")} <code>{"{{ incentive_code }}"}</code>
            </>
          }
          value={step.incentiveCode}
          onChange={(incentiveCode) => onChange((s) => ({ ...s, incentiveCode }), `${prefix}.incentive_code`)}
          maxLength={50}
        />
        <CheckBox
          id={inputId(`${prefix}.ab_test`)}
          label={t("step.abTest")}
          description={t("step.abTestHelp")}
          checked={step.abTest}
          onChange={(abTest) => onChange((s) => ({ ...s, abTest }), `${prefix}.variant_b.percent`)}
        />
        {step.abTest ? (
          <fieldset className="cmp-fieldset cmp-variant">
            <legend>{t("step.variantB")}</legend>
            <TextInput
              path={`${prefix}.variant_b.percent`}
              label={t("step.percent")}
              description={t("step.percentHelp")}
              type="number"
              min={1}
              max={99}
              inputMode="numeric"
              value={step.variantB.percent}
              onChange={(percent) =>
                onChange((s) => ({ ...s, variantB: { ...s.variantB, percent } }), `${prefix}.variant_b.percent`)
              }
              isRequired
            />
            <ContentFields
              prefix={`${prefix}.variant_b`}
              content={step.variantB}
              onChange={(change, path) => onChange((s) => ({ ...s, variantB: { ...s.variantB, ...change } }), path)}
            />
          </fieldset>
        ) : null}
        <div className="cmp-preview-toggle">
          <Button
            className="button"
            aria-expanded={previewOpen}
            aria-controls={previewOpen ? previewId : undefined}
            onPress={onTogglePreview}
          >
            {previewOpen ? t("preview.hide", { n }) : t("preview.show", { n })}
          </Button>
        </div>
        {previewOpen ? (
          <section id={previewId} className="cmp-preview" aria-label={t("preview.label", { n })}>
            {preview}
          </section>
        ) : null}
      </fieldset>
    </li>
  );
}
