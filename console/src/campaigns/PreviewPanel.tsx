// A step's email as it would go out now (POST /admin/campaigns/{id}/preview), on the sample
// cart or a real one. The HTML is shown in a sandboxed frame (`sandbox=""`: no script, no
// same origin, no navigation of the console), never put into the page; the frame inherits
// the console's Content-Security-Policy, so the email's inline styles and remote images do
// not show there; the text part is one choice away, as the email carries it.

import { useEffect, useState } from "react";
import { Button, Label, Radio, RadioGroup } from "react-aria-components";
import { useTranslation } from "react-i18next";
import type { CampaignStatus } from "./form";
import { useErrorText, TextInput } from "./parts";
import { usePreview, type PreviewAsk } from "./queries";
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

export function PreviewPanel({
  campaignId,
  status,
  version,
  step,
  hasVariantB,
  dirty,
  saving,
  saveError,
  cart,
  onCartChange,
  onSaveFirst,
}: {
  campaignId: string | null;
  status: CampaignStatus | null;
  /** The stored campaign's `updated_at`: a save renders again. */
  version: string;
  step: number;
  hasVariantB: boolean;
  dirty: boolean;
  saving: boolean;
  /** Why the draft could not be saved for the preview (the form shows it on its field). */
  saveError: string | null;
  cart: CartChoice;
  onCartChange: (cart: CartChoice) => void;
  onSaveFirst: () => void;
}) {
  const { t, i18n } = useTranslation("campaigns");
  const errorText = useErrorText();
  const [variant, setVariant] = useState<"A" | "B">("A");
  /** The HTML part in its frame, or the text part (what screen readers and mail apps without HTML get). */
  const [view, setView] = useState<"html" | "text">("html");
  const shownVariant = hasVariantB ? variant : "A";
  const typedCart = useDebounced(cart, 400);
  const [cartId, setCartId] = useState<string | null>(null);
  useEffect(() => {
    let current = true;
    if (typedCart.mode === "sample") {
      setCartId(null);
    } else {
      void cartIdOf(typedCart.sourceId, typedCart.shopCartId).then((id) => {
        if (current) setCartId(id);
      });
    }
    return () => {
      current = false;
    };
  }, [typedCart]);
  const waitingForCart = cart.mode === "real" && cartId === null;
  const ask: PreviewAsk = { step, variant: shownVariant, cartId: cart.mode === "real" ? cartId : null };
  // A draft is saved as it is typed (EditCampaign): its preview waits for that save.
  const waitingForSave = status === "draft" && (dirty || saving);
  const preview = usePreview(campaignId, ask, version, !waitingForCart && !waitingForSave);
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

  return (
    <div className="cmp-preview-body">
      <div className="cmp-preview-choices">
        {hasVariantB ? (
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
        {waitingForCart
          ? t("preview.needCart")
          : waitingForSave && saveError !== null && !saving
            ? t("preview.blocked", { message: saveError })
            : waitingForSave
            ? t("preview.saving")
            : preview.isFetching
              ? t("preview.rendering")
              : preview.isSuccess
                ? t(cart.mode === "real" ? "preview.shownReal" : "preview.shownSample", { n, variant: shownVariant })
                : ""}
      </p>
      <div>
        <Button
          className="button"
          isDisabled={waitingForCart || waitingForSave || preview.isFetching}
          onPress={() => void preview.refetch()}
        >
          {t("preview.refresh")}
        </Button>
      </div>
      {status !== null && status !== "draft" && dirty ? <p className="notice warning">{t("preview.savedVersion")}</p> : null}
      {preview.isError ? (
        <p role="alert" className="list-state error">
          {t("preview.failed", { message: errorText(preview.error) })}
        </p>
      ) : null}
      {preview.data !== undefined && !waitingForCart ? (
        <div className={`cmp-email${preview.isError ? " cmp-stale" : ""}`}>
          <p className="cmp-email-subject">
            <span className="cmp-muted">{t("preview.subject")}</span> <strong>{preview.data.subject}</strong>
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
              srcDoc={previewDocument(preview.data.html, i18n.language)}
            />
          ) : (
            <pre className="cmp-code-block">
              {preview.data.text}
            </pre>
          )}
          {view === "html" ? <p className="cmp-help">{t("preview.cspNote")}</p> : null}
        </div>
      ) : null}
    </div>
  );
}
