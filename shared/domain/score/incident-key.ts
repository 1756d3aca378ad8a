/**
 * The deterministic key of a product × category incident. The score stage stamps it on every
 * item; the route stage keys its incident documents on it, so both agree without a lookup.
 */
import { createHash } from 'node:crypto';

export function incidentKeyOf(productKey: string, category: string): string {
  const digest = createHash('sha256').update(`${productKey}\u0000${category}`).digest('hex').slice(0, 24);
  return `inc-${digest}`;
}
