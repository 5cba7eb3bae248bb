import { describe, expect, it } from "vitest";
import {
  actionsFor,
  durationOf,
  formOf,
  instantOf,
  listOf,
  localInput,
  localProblem,
  minutesOf,
  moveStep,
  newCampaignForm,
  slug,
  specOf,
  type Campaign,
} from "./form";

const STORED: Campaign = {
  id: "cmp_1",
  status: "draft",
  name: "Paniers abandonnés, France",
  priority: 10,
  schedule: { starts_at: "2026-12-01T00:00:00.000Z", ends_at: "2027-01-31T23:00:00.000Z" },
  entry: { abandoned_after_minutes: 60, min_value: "30.00", currencies: ["EUR"], sources: ["src_a", "src_b"] },
  steps: [
    { delay_minutes: 0, subject: "S1", html: "<p>1</p>", text: "1" },
    {
      delay_minutes: 1440,
      subject: "S2",
      html: "<p>2</p>",
      text: "2",
      variant_b: { percent: 50, subject: "S2B", html: "<p>2B</p>", text: "2B" },
    },
    { delay_minutes: 4320, subject: "S3", html: "<p>3</p>", text: "3", incentive_code: "MERCI10" },
  ],
  send_window: { start: "09:00", end: "20:30", time_zone: "Europe/Paris" },
  consent: "required",
  attribution_window_days: 5,
  utm: { source: "liaison", medium: "email", campaign: "panier-abandonne" },
  created_at: "2026-11-01T00:00:00Z",
  updated_at: "2026-11-02T00:00:00Z",
  updated_by: "camille",
};

describe("the form and the API's CampaignSpec", () => {
  it("reads a stored campaign and writes the same spec back", () => {
    const form = formOf(STORED);
    expect(form.abandonedAfter).toEqual({ value: "1", unit: "hours" });
    expect(form.steps.map((s) => s.delay)).toEqual([
      { value: "0", unit: "minutes" },
      { value: "1", unit: "days" },
      { value: "3", unit: "days" },
    ]);
    expect(form.currencies).toBe("EUR");
    expect(form.sources).toBe("src_a, src_b");
    expect(form.steps[1]?.abTest).toBe(true);
    expect(form.steps[0]?.abTest).toBe(false);
    expect(specOf(form)).toEqual({
      name: "Paniers abandonnés, France",
      priority: 10,
      schedule: { starts_at: "2026-12-01T00:00:00.000Z", ends_at: "2027-01-31T23:00:00.000Z" },
      entry: { abandoned_after_minutes: 60, min_value: "30.00", currencies: ["EUR"], sources: ["src_a", "src_b"] },
      steps: [
        { delay_minutes: 0, subject: "S1", html: "<p>1</p>", text: "1" },
        {
          delay_minutes: 1440,
          subject: "S2",
          html: "<p>2</p>",
          text: "2",
          variant_b: { percent: 50, subject: "S2B", html: "<p>2B</p>", text: "2B" },
        },
        { delay_minutes: 4320, subject: "S3", html: "<p>3</p>", text: "3", incentive_code: "MERCI10" },
      ],
      send_window: { start: "09:00", end: "20:30", time_zone: "Europe/Paris" },
      consent: "required",
      attribution_window_days: 5,
      utm: { source: "liaison", medium: "email", campaign: "panier-abandonne" },
    });
  });

  it("leaves out what was left empty or turned off, and keeps variant B's text while the test is off", () => {
    const form = formOf(STORED);
    form.endsAt = "";
    form.minValue = " ";
    form.currencies = "";
    form.sources = "";
    form.sendWindow.enabled = false;
    form.utm.enabled = false;
    form.steps[1]!.abTest = false;
    form.steps[2]!.incentiveCode = "  ";
    const spec = specOf(form);
    expect(spec.schedule).toEqual({ starts_at: "2026-12-01T00:00:00.000Z" });
    expect(spec.entry).toEqual({ abandoned_after_minutes: 60, currencies: [], sources: [] });
    expect("send_window" in spec).toBe(false);
    expect("utm" in spec).toBe(false);
    expect(spec.steps[1]).toEqual({ delay_minutes: 1440, subject: "S2", html: "<p>2</p>", text: "2" });
    expect(spec.steps[2]).not.toHaveProperty("incentive_code");
    form.steps[1]!.abTest = true;
    expect(specOf(form).steps[1]?.variant_b?.subject).toBe("S2B");
  });

  it("normalises what marketers type: currencies, a decimal comma, a UTM campaign from the name", () => {
    const form = newCampaignForm("fr", new Date("2026-12-07T10:15:42Z"));
    form.name = "Soldes d'hiver : été indien";
    form.currencies = "eur, chf;usd EUR";
    form.sources = "src_1  src_2,";
    form.minValue = "30,5";
    const spec = specOf(form);
    expect(spec.entry.currencies).toEqual(["EUR", "CHF", "USD"]);
    expect(spec.entry.sources).toEqual(["src_1", "src_2"]);
    expect(spec.entry.min_value).toBe("30.5");
    expect(spec.utm).toEqual({ source: "liaison", medium: "email", campaign: "soldes-d-hiver-ete-indien" });
    form.utm.campaign = " noel ";
    expect(specOf(form).utm?.campaign).toBe("noel");
  });

  it("starts a new campaign with sensible defaults that the API accepts", () => {
    const now = new Date("2026-12-07T10:15:42Z");
    const form = newCampaignForm("en", now);
    const spec = specOf(form);
    expect(spec.schedule.starts_at).toBe(new Date(Math.floor(now.getTime() / 60_000) * 60_000).toISOString());
    expect(spec.entry.abandoned_after_minutes).toBe(60);
    expect(spec.steps).toHaveLength(1);
    expect(spec.steps[0]?.delay_minutes).toBe(0);
    expect(spec.steps[0]?.subject).toContain("{{ contact.first_name");
    expect(spec.steps[0]?.html).toContain("{{ unsubscribe_url }}");
    expect(spec.consent).toBe("required");
    expect(spec.attribution_window_days).toBe(5);
    expect(spec.send_window?.start).toBe("09:00");
    expect(spec.send_window?.end).toBe("20:00");
    expect(spec.send_window?.time_zone).not.toBe("");
    expect(spec.priority).toBe(0);
    expect(newCampaignForm("fr").steps[0]?.content.subject).toContain("votre panier");
  });

  it("says what the API could not read, with the API's own field name", () => {
    const form = newCampaignForm("en");
    expect(localProblem(form)).toBeNull();
    expect(localProblem({ ...form, startsAt: "" })).toEqual({ field: "schedule.starts_at", problem: "startRequired" });
    expect(localProblem({ ...form, priority: "1.5" })).toEqual({ field: "priority", problem: "wholeNumber" });
    const steps = [form.steps[0]!, { ...form.steps[0]!, delay: { value: "", unit: "days" as const } }];
    expect(localProblem({ ...form, steps })).toEqual({ field: "steps[1].delay_minutes", problem: "duration" });
    expect(localProblem({ ...form, attributionDays: "" })).toEqual({ field: "attribution_window_days", problem: "wholeNumber" });
  });
});

describe("durations", () => {
  it("read as the largest whole unit", () => {
    expect(durationOf(0)).toEqual({ value: "0", unit: "minutes" });
    expect(durationOf(90)).toEqual({ value: "90", unit: "minutes" });
    expect(durationOf(120)).toEqual({ value: "2", unit: "hours" });
    expect(durationOf(10080)).toEqual({ value: "7", unit: "days" });
  });

  it("write whole minutes, or NaN", () => {
    expect(minutesOf({ value: "1.5", unit: "hours" })).toBe(90);
    expect(minutesOf({ value: "2,5", unit: "days" })).toBe(3600);
    expect(minutesOf({ value: "3", unit: "days" })).toBe(4320);
    expect(minutesOf({ value: "", unit: "days" })).toBeNaN();
    expect(minutesOf({ value: "abc", unit: "days" })).toBeNaN();
    expect(minutesOf({ value: "0.5", unit: "minutes" })).toBeNaN();
  });
});

describe("small helpers", () => {
  it("convert between datetime-local and RFC 3339", () => {
    const instant = "2026-12-01T08:30:00.000Z";
    expect(instantOf(localInput(instant))).toBe(instant);
    expect(instantOf("")).toBeNull();
    expect(instantOf("not a date")).toBeNull();
  });

  it("split lists and make slugs", () => {
    expect(listOf(" a, b ,, c a ")).toEqual(["a", "b", "c"]);
    expect(slug("  Été 2026 — Paniers !  ")).toBe("ete-2026-paniers");
  });

  it("offer the actions a status allows", () => {
    expect(actionsFor("draft")).toEqual(["schedule", "duplicate"]);
    expect(actionsFor("scheduled")).toEqual(["pause", "end", "duplicate"]);
    expect(actionsFor("active")).toEqual(["pause", "end", "duplicate"]);
    expect(actionsFor("paused")).toEqual(["resume", "end", "duplicate"]);
    expect(actionsFor("ended")).toEqual(["duplicate"]);
  });

  it("move a step", () => {
    expect(moveStep(["a", "b", "c"], 2, 0)).toEqual(["c", "a", "b"]);
    expect(moveStep(["a", "b", "c"], 0, 1)).toEqual(["b", "a", "c"]);
    expect(moveStep(["a", "b"], 0, 5)).toEqual(["a", "b"]);
  });
});
