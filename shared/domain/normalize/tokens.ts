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

/** The last key as a KeyObject: HMAC with a prepared key skips converting the string per token. */
let lastKey: { tokenKey: string; key: KeyObject } | undefined;

function keyObjectOf(tokenKey: string): KeyObject {
  if (lastKey?.tokenKey !== tokenKey) lastKey = { tokenKey, key: createSecretKey(tokenKey, 'utf8') };
  return lastKey.key;
}

export function keyedToken(kind: TokenKind, value: string, tokenKey: string, hexLength = 8): string {
  return createHmac('sha256', keyObjectOf(tokenKey))
    .update(`${kind}\u0000${value}`)
    .digest('hex')
    .slice(0, hexLength);
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
