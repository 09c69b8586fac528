// Text an attacker can put in thread names and stack frames: markup, script, terminal
// escapes, control characters, bidi overrides, huge lengths and invalid UTF-8.
export const HOSTILE_TEXT: string[] = [
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  '"><svg onload=alert(1)>',
  "javascript:alert(1)",
  "${alert(1)}",
  "\u001b[2J\u001b[31mred\u001b[0m",
  "a\u0000b\u0007c\u0008d",
  "\u202eevil\u202c \u2066isolate\u2069",
  "\u200b\ufeffzero-width",
  "x".repeat(100_000)
];

export const HOSTILE_BYTES: Buffer[] = [...HOSTILE_TEXT.map((s) => Buffer.from(s)), Buffer.from([0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80])];
