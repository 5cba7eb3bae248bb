import { describe, expect, it } from "vitest";
import { base64url, base64urlDecode, challengeFor, createVerifier, randomString } from "./pkce";

describe("PKCE", () => {
  it("derives RFC 7636 appendix B's challenge from its verifier", async () => {
    expect(await challengeFor("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("makes 64-character base64url verifiers, a new one each time", () => {
    const a = createVerifier();
    const b = createVerifier();
    expect(a).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(b).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(a).not.toBe(b);
    expect(randomString(32)).toHaveLength(32);
  });

  it("encodes and decodes base64url without padding", () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xfe, 0x00, 0x01]);
    const text = base64url(bytes);
    expect(text).toBe("-__-AAE");
    expect([...base64urlDecode(text)]).toEqual([...bytes]);
    expect(() => base64urlDecode("not base64!")).toThrow();
  });
});
