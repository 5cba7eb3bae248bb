// A brand rule's form (docs/openapi.yaml's RuleSpec; shared::contracts::rules): what the
// form holds, from a stored rule and back to the body of POST or PUT /admin/rules.

import type { Label, Platform, Priority, Rule, RouteTo, RuleSpec, Team } from "./queries";

export const LABELS: readonly Label[] = ["incident", "purchase_intent", "question", "praise", "spam", "other"];
export const PRIORITIES: readonly Priority[] = ["P1", "P2", "P3"];
export const ROUTES: readonly RouteTo[] = ["case", "opportunity", "question", "nothing"];
export const TEAMS: readonly Team[] = ["support", "marketing", "press"];

export interface RuleForm {
  name: string;
  order: string;
  enabled: boolean;
  /** One keyword or phrase per line. */
  keywords: string;
  pattern: string;
  platforms: Platform[];
  minInfluence: string;
  label: Label | "";
  tag: string;
  priority: Priority | "";
  route: RouteTo | "";
  owner: Team | "";
}

/** The form's fields, by the names the API gives in its errors. */
export const RULE_FIELDS = [
  "name",
  "order",
  "when",
  "when.keywords",
  "when.pattern",
  "when.platforms",
  "when.min_influence",
  "then",
  "then.label",
  "then.tag",
  "then.priority",
  "then.route",
  "then.owner",
] as const;

export function emptyRuleForm(): RuleForm {
  return {
    name: "",
    order: "0",
    enabled: true,
    keywords: "",
    pattern: "",
    platforms: [],
    minInfluence: "",
    label: "",
    tag: "",
    priority: "",
    route: "",
    owner: "",
  };
}

export function ruleForm(rule: Rule): RuleForm {
  const { when, then } = rule;
  return {
    name: rule.name,
    order: String(rule.order),
    enabled: rule.enabled,
    keywords: (when.keywords ?? []).join("\n"),
    pattern: when.pattern ?? "",
    platforms: [...(when.platforms ?? [])],
    minInfluence: when.min_influence === undefined ? "" : String(when.min_influence),
    label: then.label ?? "",
    tag: then.tag ?? "",
    priority: then.priority ?? "",
    route: then.route ?? "",
    owner: then.owner ?? "",
  };
}

/** The keywords typed, one a line (commas separate too), trimmed, without blanks or repeats. */
export function keywordsOf(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const part of text.split(/[\n,]/)) {
    const word = part.trim();
    if (word === "" || seen.has(word.toLowerCase())) continue;
    seen.add(word.toLowerCase());
    out.push(word);
  }
  return out;
}

/** A number typed in either language's way ("12,5" or "12.5"); null when empty or not a number. */
export function numberOf(text: string): number | null {
  const trimmed = text.trim().replace(",", ".");
  if (trimmed === "") return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

/** What the form can tell before asking the API: the field and why. */
export function checkRule(form: RuleForm): { field: (typeof RULE_FIELDS)[number]; reason: "required" | "number" | "when" | "then" } | null {
  if (form.name.trim() === "") return { field: "name", reason: "required" };
  const order = numberOf(form.order);
  if (form.order.trim() !== "" && (order === null || !Number.isInteger(order))) return { field: "order", reason: "number" };
  if (form.minInfluence.trim() !== "" && numberOf(form.minInfluence) === null) {
    return { field: "when.min_influence", reason: "number" };
  }
  if (keywordsOf(form.keywords).length === 0 && form.pattern.trim() === "") return { field: "when", reason: "when" };
  const body = ruleBody(form);
  if (Object.keys(body.then).length === 0) return { field: "then", reason: "then" };
  return null;
}

/** POST or PUT /admin/rules's body: empty conditions and actions left out. */
export function ruleBody(form: RuleForm): RuleSpec {
  const keywords = keywordsOf(form.keywords);
  const pattern = form.pattern.trim();
  const minInfluence = numberOf(form.minInfluence);
  const when: RuleSpec["when"] = {
    ...(keywords.length > 0 ? { keywords } : {}),
    ...(pattern !== "" ? { pattern } : {}),
    ...(form.platforms.length > 0 ? { platforms: [...form.platforms] } : {}),
    ...(minInfluence !== null ? { min_influence: minInfluence } : {}),
  };
  const tag = form.tag.trim();
  const then: RuleSpec["then"] = {
    ...(form.label !== "" ? { label: form.label } : {}),
    ...(tag !== "" ? { tag } : {}),
    ...(form.priority !== "" ? { priority: form.priority } : {}),
    ...(form.route !== "" ? { route: form.route } : {}),
    ...(form.owner !== "" ? { owner: form.owner } : {}),
  };
  return {
    name: form.name.trim(),
    order: Math.trunc(numberOf(form.order) ?? 0),
    enabled: form.enabled,
    when,
    then,
  };
}
