/**
 * Webhook signature schemes, checked on the raw request bytes before anything is parsed.
 * Every comparison is constant-time on equal-length buffers, and every secret in the list is
 * tried, so a secret can be rotated with the old and the new one valid for a while.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type Verification = { ok: true } | { ok: false; reason: string };

const ok: Verification = { ok: true };
const fail = (reason: string): Verification => ({ ok: false, reason });

/** Strict encodings of a SHA-256 digest: lenient decoders would accept mangled headers. */
const BASE64_DIGEST = /^[A-Za-z0-9+/]{43}=$/;
const HEX_DIGEST = /^[0-9a-fA-F]{64}$/;

export function hmacSha256(secret: string, ...parts: (string | Buffer)[]): Buffer {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** Decodes a digest given as base64 or hex; undefined when it is neither. */
export function decodeDigest(value: string, encodings: readonly ('base64' | 'hex')[]): Buffer | undefined {
  const trimmed = value.trim();
  if (encodings.includes('hex') && HEX_DIGEST.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (encodings.includes('base64') && BASE64_DIGEST.test(trimmed)) return Buffer.from(trimmed, 'base64');
  return undefined;
}

function equalDigests(expected: Buffer, given: Buffer): boolean {
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** True when any of the secrets produces the given digest over the message parts. */
export function anySecretMatches(
  secrets: readonly string[],
  given: Buffer,
  parts: (string | Buffer)[],
): boolean {
  let matched = false;
  // Try every secret (no early exit) so timing does not reveal which one matched.
  for (const secret of secrets) {
    if (secret === '') continue;
    if (equalDigests(hmacSha256(secret, ...parts), given)) matched = true;
  }
  return matched;
}

/** Constant-time equality of a presented token with any configured secret (Shopify Flow). */
export function anySecretEquals(secrets: readonly string[], token: string): boolean {
  const given = hmacSha256('token-compare', token);
  let matched = false;
  for (const secret of secrets) {
    if (secret === '') continue;
    // Comparing fixed-length MACs of both sides keeps the comparison length-independent.
    if (equalDigests(hmacSha256('token-compare', secret), given)) matched = true;
  }
  return matched;
}

/** Shopify: `X-Shopify-Hmac-Sha256` = base64 HMAC-SHA256(secret, raw body). */
export function verifyShopify(
  secrets: readonly string[],
  signature: string | undefined,
  body: Buffer,
): Verification {
  if (!signature) return fail('missing signature');
  const given = decodeDigest(signature, ['base64']);
  if (!given) return fail('malformed signature');
  return anySecretMatches(secrets, given, [body]) ? ok : fail('signature mismatch');
}

/**
 * Judge.me: `JUDGEME-HMAC-SHA256` = HMAC-SHA256(secret, raw body). The digest encoding is not
 * confirmed by public documentation, so both hex and base64 are accepted.
 */
export function verifyJudgeme(
  secrets: readonly string[],
  signature: string | undefined,
  body: Buffer,
): Verification {
  if (!signature) return fail('missing signature');
  const given = decodeDigest(signature, ['hex', 'base64']);
  if (!given) return fail('malformed signature');
  return anySecretMatches(secrets, given, [body]) ? ok : fail('signature mismatch');
}

/**
 * Zendesk: `X-Zendesk-Webhook-Signature` = base64 HMAC-SHA256(secret, timestamp + raw body), the
 * timestamp being the `X-Zendesk-Webhook-Signature-Timestamp` header exactly as sent.
 */
export function verifyZendeskSignature(
  secrets: readonly string[],
  signature: string | undefined,
  timestamp: string | undefined,
  body: Buffer,
): Verification {
  if (!signature || !timestamp) return fail('missing signature');
  const given = decodeDigest(signature, ['base64']);
  if (!given) return fail('malformed signature');
  return anySecretMatches(secrets, given, [timestamp, body]) ? ok : fail('signature mismatch');
}

/** Ours: `X-Feedback-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`. */
export function verifyGenericSignature(
  secrets: readonly string[],
  signature: string | undefined,
  timestamp: string | undefined,
  body: Buffer,
): Verification {
  if (!signature || !timestamp) return fail('missing signature');
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(signature.trim());
  if (!match?.[1]) return fail('malformed signature');
  const given = Buffer.from(match[1], 'hex');
  return anySecretMatches(secrets, given, [`${timestamp}.`, body]) ? ok : fail('signature mismatch');
}

/** Signs a generic delivery (the CLI, the demo feed, tests and the benchmark use this). */
export function signGenericBody(secret: string, timestamp: string, body: Buffer | string): string {
  return `sha256=${hmacSha256(secret, `${timestamp}.`, body).toString('hex')}`;
}

/** Parses a timestamp header: Unix seconds (generic) or ISO 8601 (Zendesk). */
export function parseTimestampHeader(value: string, format: 'unix-seconds' | 'iso8601'): Date | undefined {
  const trimmed = value.trim();
  if (format === 'unix-seconds') {
    if (!/^\d{1,12}$/.test(trimmed)) return undefined;
    return new Date(Number(trimmed) * 1000);
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.test(trimmed)) return undefined;
  const date = new Date(trimmed);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A signed timestamp older (or further in the future) than the window is a possible replay. */
export function checkFreshness(signedAt: Date | undefined, now: Date, windowSeconds: number): Verification {
  if (!signedAt) return fail('malformed timestamp');
  const skewMs = Math.abs(now.getTime() - signedAt.getTime());
  return skewMs <= windowSeconds * 1000 ? ok : fail('stale timestamp');
}
