// Where an API error belongs in the form: the 400's `field` (`steps[1].html`,
// `entry.currencies`, `send_window`...) as the path of one input, and the template line its
// message names (`line 2: undefined value`).

/** The paths of the form's inputs: the API's own field names (CampaignSpec). */
const TOP_LEVEL: Record<string, string> = {
  name: "name",
  priority: "priority",
  schedule: "schedule.starts_at",
  "schedule.starts_at": "schedule.starts_at",
  "schedule.ends_at": "schedule.ends_at",
  entry: "entry.abandoned_after_minutes",
  "entry.abandoned_after_minutes": "entry.abandoned_after_minutes",
  "entry.min_value": "entry.min_value",
  "entry.currencies": "entry.currencies",
  "entry.sources": "entry.sources",
  steps: "steps",
  send_window: "send_window.start",
  "send_window.start": "send_window.start",
  "send_window.end": "send_window.end",
  "send_window.time_zone": "send_window.time_zone",
  consent: "consent",
  attribution_window_days: "attribution_window_days",
  utm: "utm.source",
  "utm.source": "utm.source",
  "utm.medium": "utm.medium",
  "utm.campaign": "utm.campaign",
};

/** A step's parts; `template.body` and the like are other ways to name a template. */
const STEP_PARTS: Record<string, string> = {
  "": "delay_minutes",
  delay_minutes: "delay_minutes",
  subject: "subject",
  html: "html",
  text: "text",
  body: "html",
  "template.subject": "subject",
  "template.body": "html",
  "template.html": "html",
  "template.text": "text",
  incentive_code: "incentive_code",
  variant_b: "variant_b.percent",
};

/**
 * The input an API `field` names, as the form's path (`steps[1].html`); null when it names
 * none of them (the error is then shown above the form).
 */
export function inputPath(field: string | undefined | null): string | null {
  if (field === undefined || field === null) return null;
  const trimmed = field.trim().replace(/^\$\.?/, "").replace(/^body\./, "");
  const step = /^steps\[(\d+)\](?:\.(.*))?$/.exec(trimmed);
  if (step !== null) {
    const index = step[1] ?? "0";
    let rest = step[2] ?? "";
    let variant = "";
    if (rest.startsWith("variant_b.")) {
      variant = "variant_b.";
      rest = rest.slice("variant_b.".length);
      if (rest === "percent") return `steps[${index}].variant_b.percent`;
    }
    const part = STEP_PARTS[rest];
    if (part === undefined) return null;
    if (variant !== "" && (part === "delay_minutes" || part === "incentive_code" || part.startsWith("variant_b"))) {
      return `steps[${index}].variant_b.percent`;
    }
    return `steps[${index}].${variant}${part}`;
  }
  // A list's item (`entry.currencies[1]`) is the list's input.
  const withoutIndex = trimmed.replace(/\[\d+\]$/, "");
  return TOP_LEVEL[withoutIndex] ?? null;
}

/** The template line a message names (`line 2: undefined value` → 2), or null. */
export function templateLine(message: string): number | null {
  const match = /\bline (\d+)\b/i.exec(message);
  return match === null ? null : Number(match[1]);
}

/** The message without its `line N:` (said apart, with the line's own text). */
export function withoutLine(message: string): string {
  return message.replace(/^\s*line \d+\s*:\s*/i, "").trim() || message;
}

/** The text of line `n` (1-based) of a template, or null. */
export function lineText(source: string, n: number): string | null {
  const line = source.split(/\r\n|\n|\r/)[n - 1];
  return line === undefined ? null : line;
}

/** Where line `n` starts and ends in `source`, to select it in the text area. */
export function lineRange(source: string, n: number): [number, number] | null {
  let start = 0;
  for (let i = 1; i < n; i += 1) {
    const next = source.indexOf("\n", start);
    if (next === -1) return null;
    start = next + 1;
  }
  const end = source.indexOf("\n", start);
  return [start, end === -1 ? source.length : end];
}

/** The id of the input at `path` (`steps[1].html` → `campaign-steps-1-html`). */
export function inputId(path: string): string {
  return `campaign-${path.replace(/[^a-zA-Z0-9]+/g, "-").replace(/-+$/, "")}`;
}

/** Whether the step at `index` holds the input at `path`. */
export function isInStep(path: string | null, index: number): boolean {
  return path !== null && path.startsWith(`steps[${index}].`);
}
