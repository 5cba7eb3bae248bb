// Fails the build when index.html would need 'unsafe-inline': an inline <script> body, a
// <style> element or a style="" attribute (the console is served with a CSP without it).

import type { Plugin } from "vite";

/** Each reason the HTML needs 'unsafe-inline', empty when it needs none. */
export function inlineProblems(html: string): string[] {
  const problems: string[] = [];
  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, "");
  for (const match of withoutComments.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    const body = match[2] ?? "";
    if (body.trim() !== "") problems.push(`an inline <script> body: ${body.trim().slice(0, 60)}`);
    if (!/\bsrc\s*=/i.test(match[1] ?? "")) problems.push("a <script> without src");
  }
  if (/<style\b/i.test(withoutComments)) problems.push("a <style> element");
  if (/<[^>]+\sstyle\s*=/i.test(withoutComments)) problems.push("a style= attribute");
  if (/<[^>]+\son[a-z]+\s*=/i.test(withoutComments)) problems.push("an inline event handler (on…=)");
  if (/javascript:/i.test(withoutComments)) problems.push("a javascript: URL");
  return problems;
}

export function noInlineHtml(): Plugin {
  return {
    name: "liaison-no-inline-html",
    apply: "build",
    enforce: "post",
    generateBundle(_options, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type !== "asset" || !file.fileName.endsWith(".html")) continue;
        const html = typeof file.source === "string" ? file.source : new TextDecoder().decode(file.source);
        const problems = inlineProblems(html);
        if (problems.length > 0) {
          this.error(`${file.fileName} needs 'unsafe-inline': ${problems.join("; ")}`);
        }
      }
    },
  };
}
