// A real cart to preview an email on. The API names carts `crt_` and the first 16 bytes of
// SHA-256(source id, a zero byte, the shop's cart id), in hex (shared/src/kit/ids.rs,
// `derived`; shared/src/contracts/carts.rs, `cart_key`): the same for every snapshot of one
// cart. A marketer knows the shop's cart (or checkout's cart token) and the source it came
// from; the console works the id out, or takes a `crt_…` id as it is.

/** Liaison's id of a shop's cart, or the `crt_…` id given; null while something is missing. */
export async function cartIdOf(sourceId: string, shopCartId: string): Promise<string | null> {
  const cart = shopCartId.trim();
  if (/^crt_[0-9a-f]{32}$/i.test(cart)) return cart.toLowerCase();
  const source = sourceId.trim();
  if (cart === "" || source === "") return null;
  const encoder = new TextEncoder();
  const a = encoder.encode(source);
  const b = encoder.encode(cart);
  const bytes = new Uint8Array(a.length + 1 + b.length);
  bytes.set(a, 0);
  bytes.set(b, a.length + 1);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const hex = [...digest.slice(0, 16)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  return `crt_${hex}`;
}
