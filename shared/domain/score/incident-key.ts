/**
 * The deterministic key of a product × category incident. The score stage stamps it on every
 * item; the route stage keys its incident documents on it, so both agree without a lookup.
 */
import { createHash } from 'node:crypto';

const memo = new Map<string, string>();

export function incidentKeyOf(productKey: string, category: string): string {
  const input = `${productKey}\u0000${category}`;
  let key = memo.get(input);
  if (key === undefined) {
    key = `inc-${createHash('sha256').update(input).digest('hex').slice(0, 24)}`;
    // A pure memo, bounded so a long-running process does not grow without end.
    if (memo.size >= 50_000) memo.clear();
    memo.set(input, key);
  }
  return key;
}
