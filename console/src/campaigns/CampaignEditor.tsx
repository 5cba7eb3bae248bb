// /console/campaigns/new and /console/campaigns/{id}: a campaign written with a form (not
// JSON), saved as a draft (POST) or over the stored one (PUT); a 400 shown on the input it
// names. On a stored campaign, its actions and a live preview of each step's email, which
// renders the content as it is typed (nothing is saved for it: saving is the marketer's
// call, with "Save"); what does not render is said on the template field it names.

import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { Button, Label, Radio, RadioGroup, Text } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { useLocation, useNavigate, useParams } from "react-router";
import { ApiError } from "../api/client";
import { currentLanguage } from "../i18n";
import { useScreenTitle } from "../lib/title";
import { Actions } from "./Actions";
import { inputId, inputPath, lineRange, templateLine } from "./fields";
import {
  MAX_STEPS,
  browserTimeZone,
  formOf,
  localProblem,
  moveStep,
  newCampaignForm,
  newStep,
  slug,
  specOf,
  type Campaign,
  type CampaignForm,
  type StepForm,
} from "./form";
import { CampaignTabs, CheckBox, DurationInput, FormErrorContext, QueryState, StatusBadge, TextInput, useErrorText, type FormError } from "./parts";
import { PreviewPanel, SAMPLE_CART, type CartChoice } from "./PreviewPanel";
import { useCampaign, useSaveCampaign } from "./queries";
import { StepEditor } from "./StepEditor";
import "./campaigns.css";

interface Notice {
  notice?: "created" | "duplicated";
  previewStep?: number;
}

function timeZones(): string[] {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return [];
  }
}

export function NewCampaignPage() {
  const { t } = useTranslation("campaigns");
  useScreenTitle(t("editor.newTitle"));
  return (
    <>
      <h1>{t("editor.newTitle")}</h1>
      <p className="hint">{t("editor.newIntro")}</p>
      <CampaignEditor stored={null} />
    </>
  );
}

export function EditCampaignPage() {
  const { t } = useTranslation("campaigns");
  const { id = "" } = useParams();
  const query = useCampaign(id);
  const location = useLocation();
  const state = (location.state ?? {}) as Notice;
  const headingRef = useRef<HTMLHeadingElement>(null);
  useScreenTitle(query.data?.name ?? t("editor.title"));
  useEffect(() => {
    if (state.notice !== undefined) headingRef.current?.focus();
  }, [state.notice, id]);
  return (
    <QueryState query={query} loading={t("states.loadingOne")}>
      {(campaign) => (
        <>
          <div className="cmp-heading">
            <h1 ref={headingRef} tabIndex={-1}>
              {campaign.name}
            </h1>
            <StatusBadge status={campaign.status} />
          </div>
          <CampaignTabs id={campaign.id} />
          {state.notice !== undefined ? (
            <p role="status" className="notice">
              {t(`editor.notice.${state.notice}`)}
            </p>
          ) : null}
          <CampaignEditor key={campaign.id} stored={campaign} previewStep={state.previewStep} />
        </>
      )}
    </QueryState>
  );
}

/** A stored campaign's spec as the form would write it (the yardstick of "changed"). */
function storedSpecJson(campaign: Campaign): string {
  return JSON.stringify(specOf(formOf(campaign)));
}

function CampaignEditor({ stored, previewStep }: { stored: Campaign | null; previewStep?: number | undefined }) {
  const { t, i18n } = useTranslation("campaigns");
  const errorText = useErrorText();
  const navigate = useNavigate();
  const language = currentLanguage(i18n);
  const id = stored?.id ?? null;
  // The stored campaign as it is now (refetched, and updated by each save).
  const live = useCampaign(id ?? "", id !== null);
  const campaign = id === null ? null : (live.data ?? stored);

  const [form, setForm] = useState<CampaignForm>(() => (stored !== null ? formOf(stored) : newCampaignForm(language)));
  const [savedJson, setSavedJson] = useState<string | null>(() => (stored !== null ? JSON.stringify(specOf(formOf(stored))) : null));
  const [error, setError] = useState<FormError | null>(null);
  // What the stored campaign said when this form last loaded or saved it: when the stored one
  // says something else, a colleague saved meanwhile (PUT replaces: saving would undo that).
  const [baseStored, setBaseStored] = useState<string | null>(() => (stored !== null ? storedSpecJson(stored) : null));
  /** The open preview's error on a template field (what was typed does not render). */
  const [previewError, setPreviewError] = useState<FormError | null>(null);
  const onPreviewError = useCallback((found: FormError | null) => setPreviewError(found), []);
  const [announcement, setAnnouncement] = useState("");
  const [previewKey, setPreviewKey] = useState<string | null>(() =>
    previewStep !== undefined ? (form.steps[previewStep]?.key ?? null) : null,
  );
  const [cart, setCart] = useState<CartChoice>(SAMPLE_CART);
  const save = useSaveCampaign();
  const focusAfter = useRef<{ id: string; line?: number | null } | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const stepsHeadingRef = useRef<HTMLHeadingElement>(null);
  const zones = useMemo(timeZones, []);

  const spec = useMemo(() => specOf(form), [form]);
  const specJson = useMemo(() => JSON.stringify(spec), [spec]);
  const dirty = specJson !== savedJson;

  // Focus where the last change asked (an input the API named, a moved step's button).
  const focusTarget = (target: { id: string; line?: number | null }) => {
    const element = document.getElementById(target.id);
    if (element === null) {
      summaryRef.current?.focus();
      return;
    }
    element.focus();
    if (element instanceof HTMLTextAreaElement && target.line != null) {
      const range = lineRange(element.value, target.line);
      if (range !== null) element.setSelectionRange(range[0], range[1]);
    }
    element.scrollIntoView?.({ block: "center" });
  };
  useEffect(() => {
    const target = focusAfter.current;
    if (target === null) return;
    focusAfter.current = null;
    focusTarget(target);
  });

  const update = (change: (form: CampaignForm) => CampaignForm, path?: string) => {
    setForm(change);
    if (error !== null && (path === undefined || error.path === path)) setError(null);
  };

  const updateStep = (index: number, change: (step: StepForm) => StepForm, path: string) =>
    update((f) => ({ ...f, steps: f.steps.map((s, i) => (i === index ? change(s) : s)) }), path);

  /** Saves the form; true when it was saved. */
  const submit = async (then?: { previewStep?: number }): Promise<boolean> => {
    const problem = localProblem(form);
    if (problem !== null) {
      setError({ path: problem.field, message: t(`form.problem.${problem.problem}`), line: null });
      focusAfter.current = { id: inputId(problem.field) };
      return false;
    }
    const json = specJson;
    try {
      const result = await save.mutateAsync({ id, spec });
      setSavedJson(json);
      setBaseStored(storedSpecJson(result));
      setError(null);
      if (id === null) {
        navigate(`/campaigns/${result.id}`, { replace: true, state: { notice: "created", previewStep: then?.previewStep } satisfies Notice });
      } else {
        setAnnouncement(t("form.saved"));
      }
      return true;
    } catch (caught) {
      const path = caught instanceof ApiError && caught.status === 400 ? inputPath(caught.field) : null;
      const message = errorText(caught);
      setError({ path, message, line: path !== null ? templateLine(message) : null });
      focusAfter.current = { id: path !== null ? inputId(path) : "campaign-form-summary", line: templateLine(message) };
      return false;
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setAnnouncement("");
    void submit();
  };

  const addStep = () => {
    const index = form.steps.length;
    const step = newStep(language, form.steps[index - 1], index);
    update((f) => ({ ...f, steps: [...f.steps, step] }), "steps");
    focusAfter.current = { id: inputId(`steps[${index}].delay_minutes`) };
    setAnnouncement(t("form.stepAdded", { n: index + 1 }));
  };

  const move = (from: number, to: number) => {
    const step = form.steps[from];
    if (step === undefined) return;
    setError(null);
    setForm((f) => ({ ...f, steps: moveStep(f.steps, from, to) }));
    const buttonId = to < from ? (to === 0 ? `${step.key}-down` : `${step.key}-up`) : to === form.steps.length - 1 ? `${step.key}-up` : `${step.key}-down`;
    focusAfter.current = { id: buttonId };
    setAnnouncement(t("form.stepMoved", { from: from + 1, to: to + 1 }));
  };

  const remove = (index: number) => {
    const step = form.steps[index];
    setError(null);
    setForm((f) => ({ ...f, steps: f.steps.filter((_, i) => i !== index) }));
    if (step?.key === previewKey) setPreviewKey(null);
    stepsHeadingRef.current?.focus();
    setAnnouncement(t("form.stepRemoved", { n: index + 1 }));
  };

  const changedElsewhere =
    campaign !== null && baseStored !== null && !save.isPending && storedSpecJson(campaign) !== baseStored;
  const loadStored = () => {
    if (campaign === null) return;
    const fresh = formOf(campaign);
    setForm(fresh);
    setSavedJson(JSON.stringify(specOf(fresh)));
    setBaseStored(storedSpecJson(campaign));
    setError(null);
    setPreviewKey(null);
    setAnnouncement(t("form.reloaded"));
  };

  const utmPlaceholder = slug(form.name);

  return (
    <FormErrorContext value={error ?? previewError}>
      {campaign !== null ? (
        <Actions campaign={campaign} beforeSchedule={() => (dirty ? submit() : Promise.resolve(true))} />
      ) : null}
      {campaign !== null && campaign.status !== "draft" ? <p className="notice warning">{t("editor.liveWarning")}</p> : null}
      {changedElsewhere ? (
        <div role="alert" className="notice warning cmp-changed">
          <p>{t("editor.changedElsewhere")}</p>
          <Button className="button" onPress={loadStored}>
            {t("editor.loadStored")}
          </Button>
        </div>
      ) : null}
      <form className="cmp-form" onSubmit={onSubmit} noValidate aria-label={t("form.label")}>
        <div id="campaign-form-summary" ref={summaryRef} tabIndex={-1} className="cmp-summary">
          {error !== null ? (
            <div role="alert" className="list-state error">
              <p>{t("form.notSaved", { message: error.message })}</p>
              {error.path !== null ? (
                <Button
                  className="button"
                  onPress={() => focusTarget({ id: inputId(error.path ?? ""), line: error.line })}
                >
                  {t("form.goToField")}
                </Button>
              ) : null}
            </div>
          ) : null}
        </div>

        <fieldset className="cmp-fieldset cmp-section">
          <legend>{t("form.general")}</legend>
          <TextInput
            path="name"
            label={t("form.name")}
            description={t("form.nameHelp")}
            value={form.name}
            onChange={(name) => update((f) => ({ ...f, name }), "name")}
            isRequired
            maxLength={200}
            spellCheck
          />
          <div className="cmp-row">
            <TextInput
              path="schedule.starts_at"
              label={t("form.startsAt")}
              description={t("form.startsAtHelp", { zone: browserTimeZone() })}
              type="datetime-local"
              value={form.startsAt}
              onChange={(startsAt) => update((f) => ({ ...f, startsAt }), "schedule.starts_at")}
              isRequired
            />
            <TextInput
              path="schedule.ends_at"
              label={t("form.endsAt")}
              description={t("form.endsAtHelp")}
              type="datetime-local"
              value={form.endsAt}
              onChange={(endsAt) => update((f) => ({ ...f, endsAt }), "schedule.ends_at")}
            />
          </div>
          <TextInput
            path="priority"
            label={t("form.priority")}
            description={t("form.priorityHelp")}
            type="number"
            inputMode="numeric"
            step={1}
            value={form.priority}
            onChange={(priority) => update((f) => ({ ...f, priority }), "priority")}
            className="cmp-narrow"
          />
        </fieldset>

        <fieldset className="cmp-fieldset cmp-section">
          <legend>{t("form.entry")}</legend>
          <DurationInput
            path="entry.abandoned_after_minutes"
            label={t("form.abandonedAfter")}
            description={t("form.abandonedAfterHelp")}
            value={form.abandonedAfter}
            onChange={(abandonedAfter) => update((f) => ({ ...f, abandonedAfter }), "entry.abandoned_after_minutes")}
          />
          <TextInput
            path="entry.min_value"
            label={t("form.minValue")}
            description={t("form.minValueHelp")}
            inputMode="decimal"
            value={form.minValue}
            onChange={(minValue) => update((f) => ({ ...f, minValue }), "entry.min_value")}
            className="cmp-narrow"
          />
          <TextInput
            path="entry.currencies"
            label={t("form.currencies")}
            description={t("form.currenciesHelp")}
            value={form.currencies}
            onChange={(currencies) => update((f) => ({ ...f, currencies }), "entry.currencies")}
            spellCheck={false}
          />
          <TextInput
            path="entry.sources"
            label={t("form.sources")}
            description={t("form.sourcesHelp")}
            value={form.sources}
            onChange={(sources) => update((f) => ({ ...f, sources }), "entry.sources")}
            spellCheck={false}
          />
        </fieldset>

        <section className="cmp-section" aria-labelledby="campaign-steps-heading">
          <h2 id="campaign-steps-heading" ref={stepsHeadingRef} tabIndex={-1} className="cmp-section-title">
            {t("form.steps")}
          </h2>
          <p className="hint">{t("form.stepsHelp")}</p>
          <div id={inputId("steps")} tabIndex={-1}>
            {error?.path === "steps" ? (
              <p className="cmp-field-error" role="alert">
                {error.message}
              </p>
            ) : null}
          </div>
          <ol className="cmp-steps">
            {form.steps.map((step, index) => (
              <StepEditor
                key={step.key}
                index={index}
                count={form.steps.length}
                step={step}
                onChange={(change, path) => updateStep(index, change, path)}
                onMove={(to) => move(index, to)}
                onRemove={() => remove(index)}
                previewOpen={previewKey === step.key}
                onTogglePreview={() => setPreviewKey((open) => (open === step.key ? null : step.key))}
                preview={
                  <PreviewPanel
                    campaignId={id}
                    storedSteps={campaign?.steps.length ?? 0}
                    version={campaign?.updated_at ?? ""}
                    step={index}
                    form={step}
                    dirty={dirty}
                    saving={save.isPending}
                    cart={cart}
                    onCartChange={setCart}
                    onFieldError={onPreviewError}
                    onSaveFirst={() => void submit({ previewStep: index })}
                  />
                }
              />
            ))}
          </ol>
          {form.steps.length < MAX_STEPS ? (
            <Button className="button" onPress={addStep}>
              {t("form.addStep")}
            </Button>
          ) : (
            <p className="hint">{t("form.maxSteps", { max: MAX_STEPS })}</p>
          )}
        </section>

        <fieldset className="cmp-fieldset cmp-section">
          <legend>{t("form.sending")}</legend>
          <CheckBox
            id={inputId("send_window.enabled")}
            label={t("form.sendWindow")}
            description={t("form.sendWindowHelp")}
            checked={form.sendWindow.enabled}
            onChange={(enabled) => update((f) => ({ ...f, sendWindow: { ...f.sendWindow, enabled } }), "send_window.start")}
          />
          {form.sendWindow.enabled ? (
            <div className="cmp-row">
              <TextInput
                path="send_window.start"
                label={t("form.windowStart")}
                type="time"
                value={form.sendWindow.start}
                onChange={(start) => update((f) => ({ ...f, sendWindow: { ...f.sendWindow, start } }), "send_window.start")}
                isRequired
              />
              <TextInput
                path="send_window.end"
                label={t("form.windowEnd")}
                description={t("form.windowEndHelp")}
                type="time"
                value={form.sendWindow.end}
                onChange={(end) => update((f) => ({ ...f, sendWindow: { ...f.sendWindow, end } }), "send_window.end")}
                isRequired
              />
              <TextInput
                path="send_window.time_zone"
                label={t("form.timeZone")}
                description={t("form.timeZoneHelp")}
                list="campaign-time-zones"
                value={form.sendWindow.timeZone}
                onChange={(timeZone) => update((f) => ({ ...f, sendWindow: { ...f.sendWindow, timeZone } }), "send_window.time_zone")}
                isRequired
                spellCheck={false}
              />
              <datalist id="campaign-time-zones">
                {zones.map((zone) => (
                  <option key={zone} value={zone} />
                ))}
              </datalist>
            </div>
          ) : null}
        </fieldset>

        <fieldset className="cmp-fieldset cmp-section">
          <legend>{t("form.consentAndAttribution")}</legend>
          <RadioGroup
            id={inputId("consent")}
            className="cmp-radios"
            value={form.consent}
            onChange={(value) =>
              update((f) => ({ ...f, consent: value === "first_step_only" ? "first_step_only" : "required" }), "consent")
            }
            isInvalid={error?.path === "consent"}
          >
            <Label className="cmp-label">{t("form.consent")}</Label>
            <Radio value="required" className="cmp-radio cmp-radio-block">
              <span className="cmp-radio-title">{t("form.consentRequired")}</span>
              <span className="cmp-help">{t("form.consentRequiredHelp")}</span>
            </Radio>
            <Radio value="first_step_only" className="cmp-radio cmp-radio-block">
              <span className="cmp-radio-title">{t("form.consentFirst")}</span>
              <span className="cmp-help">{t("form.consentFirstHelp")}</span>
            </Radio>
            {error?.path === "consent" ? (
              <Text slot="errorMessage" className="cmp-field-error">
                {error.message}
              </Text>
            ) : null}
          </RadioGroup>
          <TextInput
            path="attribution_window_days"
            label={t("form.attribution")}
            description={t("form.attributionHelp")}
            type="number"
            inputMode="numeric"
            min={1}
            max={30}
            value={form.attributionDays}
            onChange={(attributionDays) => update((f) => ({ ...f, attributionDays }), "attribution_window_days")}
            isRequired
            className="cmp-narrow"
          />
        </fieldset>

        <fieldset className="cmp-fieldset cmp-section">
          <legend>{t("form.utm")}</legend>
          <CheckBox
            id={inputId("utm.enabled")}
            label={t("form.utmEnabled")}
            description={t("form.utmHelp")}
            checked={form.utm.enabled}
            onChange={(enabled) => update((f) => ({ ...f, utm: { ...f.utm, enabled } }), "utm.source")}
          />
          {form.utm.enabled ? (
            <div className="cmp-row">
              <TextInput
                path="utm.source"
                label={t("form.utmSource")}
                value={form.utm.source}
                onChange={(source) => update((f) => ({ ...f, utm: { ...f.utm, source } }), "utm.source")}
                isRequired
                maxLength={100}
                spellCheck={false}
              />
              <TextInput
                path="utm.medium"
                label={t("form.utmMedium")}
                value={form.utm.medium}
                onChange={(medium) => update((f) => ({ ...f, utm: { ...f.utm, medium } }), "utm.medium")}
                isRequired
                maxLength={100}
                spellCheck={false}
              />
              <TextInput
                path="utm.campaign"
                label={t("form.utmCampaign")}
                description={utmPlaceholder !== "" ? t("form.utmCampaignHelp", { slug: utmPlaceholder }) : t("form.utmCampaignHelpEmpty")}
                placeholder={utmPlaceholder}
                value={form.utm.campaign}
                onChange={(value) => update((f) => ({ ...f, utm: { ...f.utm, campaign: value } }), "utm.campaign")}
                maxLength={100}
                spellCheck={false}
              />
            </div>
          ) : null}
        </fieldset>

        <div className="cmp-save">
          <Button type="submit" className="button primary" isDisabled={save.isPending}>
            {id === null ? t("form.create") : t("form.save")}
          </Button>
          <p role="status" className="status-line">
            {save.isPending ? t("form.saving") : announcement !== "" ? announcement : dirty && id !== null ? t("form.unsaved") : ""}
          </p>
        </div>
      </form>
    </FormErrorContext>
  );
}
