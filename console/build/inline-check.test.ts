import { describe, expect, it } from "vitest";
import { inlineProblems } from "./inline-check";

describe("the build's check of index.html", () => {
  it("passes scripts and styles loaded from files", () => {
    expect(
      inlineProblems(
        '<head><script type="module" crossorigin src="/console/assets/index.js"></script><link rel="stylesheet" href="/console/assets/index.css"><!-- a <style> in a comment --></head>',
      ),
    ).toEqual([]);
  });

  it("fails what a CSP without 'unsafe-inline' would block", () => {
    expect(inlineProblems("<script>window.x = 1</script>")).toHaveLength(2);
    expect(inlineProblems("<style>body{}</style>")).toEqual(["a <style> element"]);
    expect(inlineProblems('<div style="color: red"></div>')).toEqual(["a style= attribute"]);
    expect(inlineProblems('<button onclick="go()"></button>')).toEqual(["an inline event handler (on…=)"]);
  });
});
