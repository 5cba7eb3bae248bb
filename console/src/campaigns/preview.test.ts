import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { newStep } from "./form";
import { askFromKey, askKey, previewBody, previewContent, previewErrorPath, previewFieldError, previewPhase, type PreviewAsk } from "./preview";

const content = { subject: "Hi {{ contact.first_name }}", html: "<p>Hi</p>\n{{ nope }}", text: "Hi" };

describe("the preview's request", () => {
  it("sends the content as typed, the variant and the cart only when not the defaults", () => {
    expect(previewBody({ step: 1, variant: "A", cartId: null, content })).toEqual({ step: 1, content });
    expect(previewBody({ step: 0, variant: "B", cartId: "crt_1", content })).toEqual({ step: 0, variant: "B", cart_id: "crt_1", content });
  });

  it("previews variant B's content only when the step tests one", () => {
    const step = { ...newStep("en", undefined, 0), variantB: { percent: "50", subject: "B subject", html: "<p>B</p>", text: "B" } };
    expect(previewContent(step, "B")).toEqual(step.content);
    expect(previewContent({ ...step, abTest: true }, "B")).toEqual({ subject: "B subject", html: "<p>B</p>", text: "B" });
    expect(previewContent({ ...step, abTest: true }, "A")).toEqual(step.content);
  });

  it("keys an ask by everything sent, and reads it back", () => {
    const ask: PreviewAsk = { step: 2, variant: "B", cartId: "crt_1", content };
    expect(askFromKey(askKey(ask))).toEqual(ask);
    expect(askKey(ask)).not.toBe(askKey({ ...ask, content: { ...content, text: "Hi!" } }));
  });
});

describe("a preview's error", () => {
  it("goes on the template field of the step or variant previewed", () => {
    expect(previewErrorPath("content.html", 1, "A")).toBe("steps[1].html");
    expect(previewErrorPath("content.subject", 0, "B")).toBe("steps[0].variant_b.subject");
    expect(previewErrorPath("content.text", 2, "A")).toBe("steps[2].text");
    // A template that checks but does not render names its part alone.
    expect(previewErrorPath("html", 3, "B")).toBe("steps[3].variant_b.html");
    expect(previewErrorPath("cart_id", 0, "A")).toBe("preview.cart_id");
    for (const other of ["step", "variant", "content", "content.other", undefined, null]) expect(previewErrorPath(other, 0, "A")).toBeNull();
  });

  it("is a field's error only for a 400 that names one, with the template line", () => {
    const invalid = new ApiError(400, "invalid_request", "line 2: undefined value", "content.html");
    expect(previewFieldError(invalid, 1, "A", invalid.message)).toEqual({ path: "steps[1].html", message: "line 2: undefined value", line: 2 });
    const cart = new ApiError(400, "invalid_request", "no such cart", "cart_id");
    expect(previewFieldError(cart, 1, "A", cart.message)).toEqual({ path: "preview.cart_id", message: "no such cart", line: null });
    expect(previewFieldError(new ApiError(503, "unavailable", "later", "content.html"), 1, "A", "later")).toBeNull();
    expect(previewFieldError(new ApiError(400, "invalid_request", "0 to 1", "step"), 1, "A", "0 to 1")).toBeNull();
    expect(previewFieldError(new Error("network"), 1, "A", "network")).toBeNull();
  });
});

describe("the email shown", () => {
  const good = { key: "a", data: "email a" };

  it("is current once what is typed rendered", () => {
    expect(previewPhase({ typed: "a", asked: "a", shown: good, fetching: false, failed: false })).toEqual({ phase: "current", stale: false });
  });

  it("is an older one, marked stale, while typing rests or renders", () => {
    // Typed, not yet asked (the debounce).
    expect(previewPhase({ typed: "b", asked: "a", shown: good, fetching: false, failed: false })).toEqual({ phase: "pending", stale: true });
    // Asked, rendering.
    expect(previewPhase({ typed: "b", asked: "b", shown: good, fetching: true, failed: false })).toEqual({ phase: "pending", stale: true });
  });

  it("stays, marked stale, when what is typed does not render", () => {
    expect(previewPhase({ typed: "b", asked: "b", shown: good, fetching: false, failed: true })).toEqual({ phase: "failed", stale: true });
    // The first render failed: nothing to show.
    expect(previewPhase({ typed: "b", asked: "b", shown: null, fetching: false, failed: true })).toEqual({ phase: "failed", stale: false });
    expect(previewPhase({ typed: "a", asked: "a", shown: null, fetching: false, failed: false })).toEqual({ phase: "none", stale: false });
  });
});
