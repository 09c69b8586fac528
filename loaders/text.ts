// Text from captures (thread names, frames, file names) is untrusted. For a terminal,
// control characters other than newline (escape sequences could rewrite the screen,
// bidi marks could reorder it) become visible escapes.
export function printable(text: string): string {
  return text.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** JSON for a terminal: JSON.stringify escapes C0 controls but not DEL, C1 or bidi marks. */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
