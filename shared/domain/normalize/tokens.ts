/**
 * Keyed tokens: stable, non-reversible stand-ins for identifiers (order and tracking numbers,
 * customer ids). The same value under the same key always gives the same token, so items about
 * one order stay linked; without the key nobody can tell which order it was.
 */
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

export type TokenKind = 'order' | 'tracking' | 'customer';

/** Order and tracking numbers are compared without separators or case: '#A-1001' = 'a1001'. */
export function canonicalIdentifier(value: string): string {
  return value.replace(/[\s#\-./]/g, '').toUpperCase();
}

/**
 * The last key as a KeyObject (HMAC with a prepared key skips converting the string per token),
 * with the tokens made under it: customer ids and order numbers come back item after item, and
 * one HMAC costs more than the rest of an item's token work. Bounded: emptied when full.
 */
let lastKey: { tokenKey: string; key: KeyObject; tokens: Map<string, string> } | undefined;
const MAX_REMEMBERED_TOKENS = 4096;

function keyedStateOf(tokenKey: string): { key: KeyObject; tokens: Map<string, string> } {
  if (lastKey?.tokenKey !== tokenKey)
    lastKey = { tokenKey, key: createSecretKey(tokenKey, 'utf8'), tokens: new Map() };
  return lastKey;
}

export function keyedToken(kind: TokenKind, value: string, tokenKey: string, hexLength = 8): string {
  const { key, tokens } = keyedStateOf(tokenKey);
  const message = `${kind}\u0000${value}`;
  // The full digest is remembered: one value may be asked for at different lengths.
  let digest = tokens.get(message);
  if (digest === undefined) {
    digest = createHmac('sha256', key).update(message).digest('hex');
    if (tokens.size >= MAX_REMEMBERED_TOKENS) tokens.clear();
    tokens.set(message, digest);
  }
  return digest.slice(0, hexLength);
}

export function orderToken(orderRef: string, tokenKey: string): string {
  return keyedToken('order', canonicalIdentifier(orderRef), tokenKey);
}

export function trackingToken(trackingNumber: string, tokenKey: string): string {
  return keyedToken('tracking', canonicalIdentifier(trackingNumber), tokenKey);
}

/** Customers are scoped by source and tenant: the same numeric id in two shops is two people. */
export function customerToken(scope: string, customerId: string, tokenKey: string): string {
  return keyedToken('customer', `${scope}\u0000${customerId.trim().toLowerCase()}`, tokenKey, 16);
}
