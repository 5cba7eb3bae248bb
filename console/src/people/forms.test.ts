import { describe, expect, it } from "vitest";
import { closeCaseBody, closeOpportunityBody, closeQuestionBody, parseTags, safeUrl, valueBody, writtenAnswer } from "./forms";

describe("an answer", () => {
  it("takes tags as typed, once each", () => {
    expect(parseTags(" Delivery, #late  courier_x,delivery ")).toEqual(["delivery", "late", "courier_x"]);
    expect(parseTags("")).toEqual([]);
  });

  it("goes with its channel and trimmed text, tags only when there are some", () => {
    expect(writtenAnswer({ channel: "public_reply", text: "  Sorry!  ", visibleTags: "", hiddenTags: "" })).toEqual({
      ok: true,
      answer: { channel: "public_reply", text: "Sorry!" },
    });
    expect(writtenAnswer({ channel: "email", text: "Hello", visibleTags: "", hiddenTags: "refund" })).toEqual({
      ok: true,
      answer: { channel: "email", text: "Hello", tags: { hidden: ["refund"] } },
    });
  });

  it("is refused without text, with a bad tag, or with too many", () => {
    expect(writtenAnswer({ channel: "email", text: " ", visibleTags: "", hiddenTags: "" })).toEqual({ ok: false, problem: "textMissing" });
    expect(writtenAnswer({ channel: "email", text: "a", visibleTags: "ok, b@d", hiddenTags: "" })).toEqual({
      ok: false,
      problem: "tagInvalid",
      tag: "b@d",
    });
    expect(writtenAnswer({ channel: "email", text: "a", visibleTags: "a b c d e f", hiddenTags: "g h i j k" })).toEqual({
      ok: false,
      problem: "tooManyTags",
    });
  });
});

describe("a close", () => {
  it("sends a case's resolution and message only when given", () => {
    expect(closeCaseBody("  ", null)).toEqual({});
    expect(closeCaseBody(" Refunded ", null)).toEqual({ resolution: "Refunded" });
    expect(closeCaseBody("Refunded", { channel: "email", text: "Done" })).toEqual({
      resolution: "Refunded",
      message: { channel: "email", text: "Done" },
    });
  });

  it("sends a question's resolution, and an opportunity's outcome", () => {
    expect(closeQuestionBody("")).toEqual({});
    expect(closeQuestionBody("Answered on the forum")).toEqual({ resolution: "Answered on the forum" });
    expect(closeOpportunityBody("won", "")).toEqual({ outcome: "won" });
    expect(closeOpportunityBody("lost", " Too expensive ")).toEqual({ outcome: "lost", resolution: "Too expensive" });
  });
});

describe("an opportunity's value", () => {
  it("is a stage, an amount with its currency, or both", () => {
    expect(valueBody({ stage: " qualified ", amount: "", currency: "" })).toEqual({ ok: true, body: { stage: "qualified" } });
    expect(valueBody({ stage: "", amount: "1250.50", currency: "eur" })).toEqual({
      ok: true,
      body: { amount: "1250.50", currency: "EUR" },
    });
    expect(valueBody({ stage: "won", amount: "1 250,5", currency: "EUR" })).toEqual({
      ok: true,
      body: { stage: "won", amount: "1250.5", currency: "EUR" },
    });
  });

  it("says what is missing or wrong", () => {
    expect(valueBody({ stage: "", amount: "", currency: "" })).toEqual({ ok: false, problem: "nothing" });
    expect(valueBody({ stage: "", amount: "12", currency: "" })).toEqual({ ok: false, problem: "currencyMissing" });
    expect(valueBody({ stage: "", amount: "", currency: "EUR" })).toEqual({ ok: false, problem: "amountMissing" });
    expect(valueBody({ stage: "", amount: "-3", currency: "EUR" })).toEqual({ ok: false, problem: "amountInvalid" });
    expect(valueBody({ stage: "", amount: "1.23456", currency: "EUR" })).toEqual({ ok: false, problem: "amountInvalid" });
    expect(valueBody({ stage: "", amount: "12", currency: "EURO" })).toEqual({ ok: false, problem: "currencyInvalid" });
    expect(valueBody({ stage: "x".repeat(101), amount: "", currency: "" })).toEqual({ ok: false, problem: "stageTooLong" });
  });
});

describe("links out", () => {
  it("are http(s) only", () => {
    expect(safeUrl("https://example.com/p/1")).toBe("https://example.com/p/1");
    expect(safeUrl("http://example.com/")).toBe("http://example.com/");
    expect(safeUrl("javascript:alert(1)")).toBeNull();
    expect(safeUrl("data:text/html,hi")).toBeNull();
    expect(safeUrl("/relative")).toBeNull();
    expect(safeUrl(null)).toBeNull();
    expect(safeUrl(undefined)).toBeNull();
  });
});
