// What jsdom lacks and React Aria uses (the browsers all have it).
if (typeof window !== "undefined" && typeof globalThis.CSS?.escape !== "function") {
  const escape = (value: string) => value.replace(/[^\w-]/g, (char) => `\\${char}`);
  globalThis.CSS = { ...(globalThis.CSS ?? {}), escape } as typeof CSS;
}
