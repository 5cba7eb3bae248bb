// A step's email as it would go out now (POST /admin/campaigns/{id}/preview), on the sample
// cart or a real one, with its content as it is being typed: the preview follows typing
// (once it rests 400 ms) without saving anything. What does not render is said on the
// template field it names, and the last email that rendered stays, marked out of date.
// The HTML is shown in a sandboxed frame (`sandbox=""`: no script, no same origin, no
// navigation of the console), never put into the page; the frame inherits the console's
// Content-Security-Policy, so the email's inline styles and remote images do not show
// there; the text part is one choice away, as the email carries it.

import { useEffect, useState } from "react";
import { Button, Label, Radio, RadioGroup } from "react-aria-components";
import { useTranslation } from "react-i18next";
import type { StepForm } from "./form";
import { useErrorText, TextInput, type FormError } from "./parts";
import {
  PREVIEW_DEBOUNCE_MS,
  askFromKey,
  askKey,
  previewContent,
  previewFieldError,
  previewPhase,
  type PreviewAsk,
  type Rendered,
  type Variant,
} from "./preview";
import { usePreview, type CampaignPreview } from "./queries";
import { cartIdOf } from "./realCart";

/** Which cart the preview renders: the API's sample cart, or one of the shop's. */
export interface CartChoice {
  mode: "sample" | "real";
  sourceId: string;
  shopCartId: string;
}

export const SAMPLE_CART: CartChoice = { mode: "sample", sourceId: "", shopCartId: "" };

/** `value`, once it has stopped changing for `ms`. */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** The wrapper the email's HTML is shown in (a document of its own). */
export function previewDocument(html: string, language: string): string {
  return `<!doctype html><html lang="${language === "fr" ? "fr" : "en"}"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"></head><body>${html}</body></html>`;
}

/** The labels of the template fields, to say which one an error is on. */
const PARTS = { subject: "step.subject", html: "step.html", text: "step.text" } as const;

export function PreviewPanel({
  campaignId,
  storedSteps,
  version,
  step,
  form,
  dirty,
  saving,
  cart,
  onCartChange,
  onFieldError,
  onSaveFirst,
}: {
  campaignId: string | null;
  /** How many steps the stored campaign has (the API previews one of them). */
  storedSteps: number;
  /** The stored campaign's `updated_at`: a save renders again. */
  version: string;
  step: number;
  /** The step as it is on the screen. */
  form: StepForm;
  dirty: boolean;
  saving: boolean;
  cart: CartChoice;
  onCartChange: (cart: CartChoice) => void;
  /** The preview's error on a field of the form (null: none). */
  onFieldError: (error: FormError | null) => void;
  onSaveFirst: () => void;
}) {
  const { t, i18n } = useTranslation("campaigns");
  const errorText = useErrorText();
  const [variant, setVariant] = useState<Variant>("A");
  /** The HTML part in its frame, or the text part (what screen readers and mail apps without HTML get). */
  const [view, setView] = useState<"html" | "text">("html");
  const shownVariant: Variant = form.abTest ? variant : "A";
  const [cartId, setCartId] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    if (cart.mode === "sample") {
      setCartId(null);
    } else {
      void cartIdOf(cart.sourceId, cart.shopCartId).then((id) => {
        if (current) setCartId(id);
      });
    }
    return () => {
      current = false;
    };
  }, [cart]);
  const waitingForCart = cart.mode === "real" && cartId === null;
  const stepSaved = step < storedSteps;

  // What is on the screen now, and what the query renders: the same once typing rests.
  const typed: PreviewAsk = { step, variant: shownVariant, cartId: cart.mode === "real" ? cartId : null, content: previewContent(form, shownVariant) };
  const typedKey = askKey(typed);
  const askedKey = useDebounced(typedKey, PREVIEW_DEBOUNCE_MS);
  const ask = askedKey === typedKey ? typed : askFromKey(askedKey);
  const enabled = !waitingForCart && stepSaved;
  const preview = usePreview(campaignId, ask, version, enabled);

  // The last email that rendered (kept when what is typed next does not render).
  const fresh: Rendered<CampaignPreview> | null =
    preview.isSuccess && !preview.isPlaceholderData ? { key: askedKey, data: preview.data } : null;
  const [lastGood, setLastGood] = useState<Rendered<CampaignPreview> | null>(fresh);
  if (fresh !== null && (lastGood === null || lastGood.key !== fresh.key || lastGood.data !== fresh.data)) setLastGood(fresh);
  const shown = fresh ?? lastGood;
  const { phase, stale } = previewPhase({
    typed: typedKey,
    asked: askedKey,
    shown,
    fetching: preview.isFetching,
    failed: preview.isError,
  });

  // A 400 that names a template goes on its field, and stays there until the next answer
  // (no flicker while typing on); gone once something renders, or nothing is asked.
  const failure = preview.isError ? errorText(preview.error) : null;
  const settledError =
    !enabled || fresh !== null
      ? ""
      : preview.isError && !preview.isFetching
        ? JSON.stringify(previewFieldError(preview.error, ask.step, ask.variant, failure ?? ""))
        : null;
  const [fieldErrorKey, setFieldErrorKey] = useState("");
  if (settledError !== null && settledError !== fieldErrorKey) setFieldErrorKey(settledError);
  const fieldError = fieldErrorKey === "" ? null : (JSON.parse(fieldErrorKey) as FormError | null);
  useEffect(() => {
    onFieldError(fieldErrorKey === "" ? null : (JSON.parse(fieldErrorKey) as FormError | null));
  }, [fieldErrorKey, onFieldError]);
  useEffect(() => () => onFieldError(null), [onFieldError]);

  const n = step + 1;

  if (campaignId === null) {
    return (
      <div className="cmp-preview-body">
        <p className="hint">{t("preview.saveFirst")}</p>
        <Button className="button" onPress={onSaveFirst} isDisabled={saving}>
          {t("preview.saveAndPreview")}
        </Button>
      </div>
    );
  }

  if (!stepSaved) {
    return (
      <div className="cmp-preview-body">
        <p className="hint">{t("preview.stepNotSaved", { n })}</p>
        <Button className="button" onPress={onSaveFirst} isDisabled={saving}>
          {t("preview.saveStep")}
        </Button>
      </div>
    );
  }

  const fieldName = fieldError !== null ? fieldLabel(fieldError.path ?? "") : null;
  const status = waitingForCart
    ? t("preview.needCart")
    : phase === "pending"
      ? t("preview.rendering")
      : phase === "failed" && fieldName !== null
        ? t(shown !== null ? "preview.invalidKept" : "preview.invalid", { field: t(PARTS[fieldName]), message: failure ?? "" })
        : phase === "current"
          ? t(cart.mode === "real" ? "preview.shownReal" : "preview.shownSample", { n, variant: shownVariant })
          : "";

  return (
    <div className="cmp-preview-body">
      <div className="cmp-preview-choices">
        {form.abTest ? (
          <RadioGroup
            className="cmp-radios cmp-inline"
            orientation="horizontal"
            value={shownVariant}
            onChange={(value) => setVariant(value === "B" ? "B" : "A")}
          >
            <Label className="cmp-label">{t("preview.variant")}</Label>
            <Radio value="A" className="cmp-radio">
              {t("preview.variantA")}
            </Radio>
            <Radio value="B" className="cmp-radio">
              {t("preview.variantB")}
            </Radio>
          </RadioGroup>
        ) : null}
        <RadioGroup
          className="cmp-radios cmp-inline"
          orientation="horizontal"
          value={cart.mode}
          onChange={(value) => onCartChange({ ...cart, mode: value === "real" ? "real" : "sample" })}
        >
          <Label className="cmp-label">{t("preview.cart")}</Label>
          <Radio value="sample" className="cmp-radio">
            {t("preview.sampleCart")}
          </Radio>
          <Radio value="real" className="cmp-radio">
            {t("preview.realCart")}
          </Radio>
        </RadioGroup>
        {cart.mode === "real" ? (
          <div className="cmp-row">
            <TextInput
              path="preview.source_id"
              label={t("preview.sourceId")}
              description={t("preview.sourceIdHelp")}
              value={cart.sourceId}
              onChange={(sourceId) => onCartChange({ ...cart, sourceId })}
              spellCheck={false}
            />
            <TextInput
              path="preview.cart_id"
              label={t("preview.shopCartId")}
              description={t("preview.shopCartIdHelp")}
              value={cart.shopCartId}
              onChange={(shopCartId) => onCartChange({ ...cart, shopCartId })}
              spellCheck={false}
            />
          </div>
        ) : null}
        {cart.mode === "real" && cartId !== null ? (
          <p className="cmp-help">
            {t("preview.cartIdIs")} <code>{cartId}</code>
          </p>
        ) : null}
      </div>
      <p role="status" className="status-line">
        {status}
      </p>
      <div>
        <Button
          className="button"
          isDisabled={waitingForCart || preview.isFetching}
          onPress={() => void preview.refetch()}
        >
          {t("preview.refresh")}
        </Button>
      </div>
      {dirty ? <p className="cmp-help">{t("preview.unsavedShown")}</p> : null}
      {phase === "failed" && fieldName === null && failure !== null ? (
        <p role="alert" className="list-state error">
          {t("preview.failed", { message: failure })}
        </p>
      ) : null}
      {shown !== null && !waitingForCart ? (
        <div className={`cmp-email${stale ? " cmp-stale" : ""}`} aria-busy={phase === "pending"}>
          {stale && phase === "failed" ? <p className="cmp-stale-note">{t("preview.staleNote")}</p> : null}
          <p className="cmp-email-subject">
            <span className="cmp-muted">{t("preview.subject")}</span> <strong>{shown.data.subject}</strong>
          </p>
          <RadioGroup
            className="cmp-radios cmp-inline"
            orientation="horizontal"
            value={view}
            onChange={(value) => setView(value === "text" ? "text" : "html")}
          >
            <Label className="cmp-label">{t("preview.view")}</Label>
            <Radio value="html" className="cmp-radio">
              {t("preview.viewHtml")}
            </Radio>
            <Radio value="text" className="cmp-radio">
              {t("preview.viewText")}
            </Radio>
          </RadioGroup>
          {view === "html" ? (
            <iframe
              className="cmp-email-frame"
              title={t("preview.frameTitle", { n })}
              sandbox=""
              referrerPolicy="no-referrer"
              srcDoc={previewDocument(shown.data.html, i18n.language)}
            />
          ) : (
            <pre className="cmp-code-block">
              {shown.data.text}
            </pre>
          )}
          {view === "html" ? <p className="cmp-help">{t("preview.cspNote")}</p> : null}
        </div>
      ) : null}
    </div>
  );
}

/** `steps[1].variant_b.html` → `html`: which template a path is. */
function fieldLabel(path: string): keyof typeof PARTS | null {
  const part = path.split(".").at(-1);
  return part === "subject" || part === "html" || part === "text" ? part : null;
}
