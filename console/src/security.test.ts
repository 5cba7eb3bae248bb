// The rules of README.md's "Security rules" that a file can show, checked on every test run.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { inlineProblems } from "../build/inline-check";
import indexHtml from "../index.html?raw";
import packageLock from "../package-lock.json";

const ROOT = join(import.meta.dirname, "..");

function files(dir: string, keep: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path, keep));
    else if (keep(path)) out.push(path);
  }
  return out;
}

/** Code without its comments (which may name what the code must not do). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'])\/\/.*$/gm, "$1");
}

/** The app's own code, tests and generated types left out. */
const sources = files(
  join(ROOT, "src"),
  (path) => /\.(ts|tsx)$/.test(path) && !/\.test\.tsx?$|\.d\.ts$|[\\/]test[\\/]/.test(path),
).map((path) => ({ path: relative(ROOT, path).replaceAll("\\", "/"), text: withoutComments(readFileSync(path, "utf8")) }));

describe("index.html", () => {
  it("has no inline script, no style element, no style attribute", () => {
    expect(inlineProblems(indexHtml)).toEqual([]);
  });
});

describe("the app's code", () => {
  it("never uses dangerouslySetInnerHTML or innerHTML", () => {
    const offenders = sources.filter((f) => /dangerouslySetInnerHTML|\.innerHTML\b|\.outerHTML\b/.test(f.text));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });

  it("never touches localStorage, and sessionStorage only for a sign-in in progress and the language", () => {
    expect(sources.filter((f) => /localStorage/.test(f.text)).map((f) => f.path)).toEqual([]);
    expect(sources.filter((f) => /sessionStorage/.test(f.text)).map((f) => f.path)).toEqual([
      "src/auth/oidc.ts",
      "src/i18n/index.ts",
    ]);
  });

  it("never sets a style attribute or adds a style element itself", () => {
    const offenders = sources.filter((f) => /\bstyle=\{|createElement\(["']style["']\)|setAttribute\(["']style["']/.test(f.text));
    expect(offenders.map((f) => f.path)).toEqual([]);
  });
});

describe("the dependencies", () => {
  it("include no CSS-in-JS runtime nor a component library that injects styles", () => {
    const banned = /^(@emotion\/|styled-components$|@mantine\/|@mui\/|@chakra-ui\/|@stitches\/|goober$|jss$|@vanilla-extract\/dynamic$)/;
    const installed = Object.keys(packageLock.packages)
      .map((path) => path.replace(/^.*node_modules\//, ""))
      .filter((name) => banned.test(name));
    expect(installed).toEqual([]);
  });

  it("add style elements at run time only where the console has neutralised or avoided it", () => {
    // React Aria is the one library here that does. Each place is known:
    // - usePress: skipped when an element with its id exists; index.html has one, and
    //   app.css carries its rule.
    // - usePreventScroll: iOS Safari only, while a Modal or a Popover (Select, ComboBox,
    //   Menu, DatePicker) is open. The inbox's filter Selects do: app.css carries the rule
    //   for .select-popover instead (README.md, "Security rules").
    const found = files(join(ROOT, "node_modules"), (path) =>
      /[\\/]node_modules[\\/](react-aria|react-aria-components|@react-aria[\\/][^\\/]+|react-stately|@react-stately[\\/][^\\/]+)[\\/].*\.mjs$/.test(path),
    )
      .filter((path) => /createElement\(["']style["']\)/.test(readFileSync(path, "utf8")))
      .map((path) => relative(join(ROOT, "node_modules"), path).replaceAll("\\", "/"));
    expect(found.sort()).toEqual([
      "react-aria/dist/private/interactions/usePress.mjs",
      "react-aria/dist/private/overlays/usePreventScroll.mjs",
    ]);
    const usePress = readFileSync(join(ROOT, "node_modules/react-aria/dist/private/interactions/usePress.mjs"), "utf8");
    expect(usePress).toContain("'react-aria-pressable-style'");
    expect(usePress).toContain("getElementById");
    expect(indexHtml).toMatch(/<meta id="react-aria-pressable-style"/);
    expect(readFileSync(join(ROOT, "src/styles/app.css"), "utf8")).toContain("[data-react-aria-pressable]");
  });
});
