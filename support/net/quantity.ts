/** Kubernetes quantities (resource.Quantity) as Calico's QoS annotations use them: `10M`, `1Gi`, `500k`. */

const DECIMAL: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };

/** A quantity as a number; anything else is refused with an error naming `what`. */
export function parseQuantity(text: string, what: string): number {
  const match = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|)$/.exec(text.trim());
  if (!match) throw new Error(`${what}: "${text}" is not a Kubernetes quantity (say 10M, 1Gi or 500k)`);
  const [, number, suffix] = match as unknown as [string, string, string];
  return Math.round(Number(number) * (BINARY[suffix] ?? DECIMAL[suffix] ?? 1));
}
