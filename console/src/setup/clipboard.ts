// Copying a value (a webhook URL, a secret): the Clipboard API when the browser allows it,
// else the value is selected in its read-only field for the user to copy by hand.

export type CopyOutcome = "copied" | "selected";

interface Writer {
  writeText?: (text: string) => Promise<void>;
}

function browserClipboard(): Writer | undefined {
  return typeof navigator === "undefined" ? undefined : (navigator.clipboard as Writer | undefined);
}

/** Copies `text`; when the clipboard is missing or refuses, selects it in `input`. */
export async function copyText(
  text: string,
  input: HTMLInputElement | HTMLTextAreaElement | null,
  clipboard: Writer | undefined = browserClipboard(),
): Promise<CopyOutcome> {
  if (clipboard !== undefined && typeof clipboard.writeText === "function") {
    try {
      await clipboard.writeText(text);
      return "copied";
    } catch {
      // Refused (no permission, not focused, an insecure context): select instead.
    }
  }
  if (input !== null) {
    input.focus();
    input.select();
  }
  return "selected";
}
