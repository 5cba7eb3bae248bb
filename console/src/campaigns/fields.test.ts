import { describe, expect, it } from "vitest";
import { inputId, inputPath, isInStep, lineRange, lineText, templateLine, withoutLine } from "./fields";

describe("the API's error field, on the form's input", () => {
  it("maps the fields the API names (shared/src/relaunch/campaigns/mod.rs)", () => {
    expect(inputPath("name")).toBe("name");
    expect(inputPath("schedule.ends_at")).toBe("schedule.ends_at");
    expect(inputPath("entry.abandoned_after_minutes")).toBe("entry.abandoned_after_minutes");
    expect(inputPath("entry.currencies")).toBe("entry.currencies");
    expect(inputPath("entry.currencies[2]")).toBe("entry.currencies");
    expect(inputPath("steps")).toBe("steps");
    expect(inputPath("steps[0].delay_minutes")).toBe("steps[0].delay_minutes");
    expect(inputPath("steps[1].html")).toBe("steps[1].html");
    expect(inputPath("steps[1].subject")).toBe("steps[1].subject");
    expect(inputPath("steps[4].text")).toBe("steps[4].text");
    expect(inputPath("steps[2].incentive_code")).toBe("steps[2].incentive_code");
    expect(inputPath("steps[1].variant_b.percent")).toBe("steps[1].variant_b.percent");
    expect(inputPath("steps[1].variant_b.html")).toBe("steps[1].variant_b.html");
    expect(inputPath("send_window")).toBe("send_window.start");
    expect(inputPath("send_window.time_zone")).toBe("send_window.time_zone");
    expect(inputPath("attribution_window_days")).toBe("attribution_window_days");
    expect(inputPath("utm.campaign")).toBe("utm.campaign");
  });

  it("understands other ways of naming a step's template", () => {
    expect(inputPath("steps[1].template.body")).toBe("steps[1].html");
    expect(inputPath("steps[1].template.subject")).toBe("steps[1].subject");
    expect(inputPath("steps[0].variant_b.template.body")).toBe("steps[0].variant_b.html");
    expect(inputPath("steps[3]")).toBe("steps[3].delay_minutes");
    expect(inputPath("steps[3].variant_b")).toBe("steps[3].variant_b.percent");
  });

  it("names no input for what the form does not have", () => {
    expect(inputPath(undefined)).toBeNull();
    expect(inputPath("")).toBeNull();
    expect(inputPath("cart_id")).toBeNull();
    expect(inputPath("steps[1].nonsense")).toBeNull();
  });

  it("finds the template line a message names, and its text", () => {
    expect(templateLine("line 2: undefined value")).toBe(2);
    expect(templateLine("steps[1].html: line 12: unknown variable")).toBe(12);
    expect(templateLine("1 to 200 characters")).toBeNull();
    expect(withoutLine("line 2: undefined value")).toBe("undefined value");
    const source = "<p>Hello</p>\n{{ nope }}\r\n<p>end</p>";
    expect(lineText(source, 2)).toBe("{{ nope }}");
    expect(lineText(source, 9)).toBeNull();
    const range = lineRange("a\nbcd\ne", 2);
    expect(range).toEqual([2, 5]);
    expect(lineRange("a", 3)).toBeNull();
  });

  it("gives inputs stable ids", () => {
    expect(inputId("steps[1].html")).toBe("campaign-steps-1-html");
    expect(inputId("steps[1].variant_b.percent")).toBe("campaign-steps-1-variant-b-percent");
    expect(inputId("name")).toBe("campaign-name");
    expect(isInStep("steps[1].html", 1)).toBe(true);
    expect(isInStep("steps[10].html", 1)).toBe(false);
  });
});
