import { describe, expect, it, vi } from "vitest";
import { confirmationMatches, emailsOf, eraseAll, ErasureUnfinished, type EraseStep } from "./erase";

const contact = { id: "ct_abc", emails: ["Dominique@Example.com"] };

describe("the erasure's typed confirmation", () => {
  it("matches the contact's id exactly, or one of its emails whatever the case", () => {
    expect(confirmationMatches("ct_abc", contact)).toBe(true);
    expect(confirmationMatches("  ct_abc ", contact)).toBe(true);
    expect(confirmationMatches("dominique@example.com", contact)).toBe(true);
    expect(confirmationMatches("DOMINIQUE@EXAMPLE.COM", contact)).toBe(true);
  });

  it("refuses anything else, an empty field first", () => {
    expect(confirmationMatches("", contact)).toBe(false);
    expect(confirmationMatches("   ", contact)).toBe(false);
    expect(confirmationMatches("ct_ab", contact)).toBe(false);
    expect(confirmationMatches("CT_ABC", contact)).toBe(false);
    expect(confirmationMatches("dominique@example", contact)).toBe(false);
    expect(confirmationMatches("x", { id: "ct_abc", emails: [] })).toBe(false);
  });

  it("reads the contact's emails from its identities", () => {
    expect(
      emailsOf({
        identities: [
          { kind: "email", value: "a@example.com" },
          { kind: "handle", value: "@dom" },
          { kind: "email", value: " " },
          { kind: "email" },
          { kind: "email", value: "b@example.com " },
        ],
      }),
    ).toEqual(["a@example.com", "b@example.com"]);
  });
});

describe("the erasure's calls", () => {
  it("call again while the API answers 202, until its 204", async () => {
    const answers: EraseStep[] = [
      { done: false, deleted: 500 },
      { done: false, deleted: 500 },
      { done: false, deleted: 12 },
      { done: true },
    ];
    const step = vi.fn(() => Promise.resolve(answers.shift()!));
    const progress = vi.fn();
    await expect(eraseAll(step, progress)).resolves.toEqual({ deleted: 1012, calls: 4 });
    expect(step).toHaveBeenCalledTimes(4);
    expect(progress.mock.calls).toEqual([
      [500, 1],
      [1000, 2],
      [1012, 3],
    ]);
  });

  it("stop at the first failure, with it", async () => {
    const failure = new Error("unavailable");
    let calls = 0;
    const step = () => (++calls === 2 ? Promise.reject(failure) : Promise.resolve<EraseStep>({ done: false, deleted: 3 }));
    await expect(eraseAll(step)).rejects.toBe(failure);
    expect(calls).toBe(2);
  });

  it("give up after the most calls, saying how far it went", async () => {
    const step = () => Promise.resolve<EraseStep>({ done: false, deleted: 1 });
    const error = await eraseAll(step, undefined, 3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErasureUnfinished);
    expect(error).toMatchObject({ deleted: 3, calls: 3 });
  });
});
