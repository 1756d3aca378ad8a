/**
 * Signed, expiring tokens for the action links on cards (acknowledge, snooze, false positive,
 * open ticket, useful, noise). A token names one incident, one alert and one action, so a link
 * cannot be replayed against another incident or turned into another action.
 *
 * Format: base64url(JSON claims) + '.' + base64url(HMAC-SHA256(key, that first part)).
 * Verification recomputes the MAC and compares in constant time before trusting any claim.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncidentAction } from './incident.js';

export interface ActionClaims {
  /** Incident key. */
  k: string;
  /** Action. */
  a: IncidentAction;
  /** Alert sequence number the card belongs to. */
  s: number;
  /** Expiry, seconds since the epoch. */
  e: number;
  /** Deterministic per card and action: the same card's link counts once as a vote. */
  n: string;
}

export type TokenCheck = { ok: true; claims: ActionClaims } | { ok: false; reason: string };

function mac(key: string, body: string): Buffer {
  return createHmac('sha256', key).update(body).digest();
}

export function signActionToken(key: string, claims: ActionClaims): string {
  const body = Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url');
  return `${body}.${mac(key, body).toString('base64url')}`;
}

export function verifyActionToken(
  key: string,
  token: string | null | undefined,
  expected: { incidentKey: string; action: IncidentAction },
  now: Date,
): TokenCheck {
  if (!token || token.length > 2048) return { ok: false, reason: 'missing token' };
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'malformed token' };
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const wanted = mac(key, body);
  // Length check first: timingSafeEqual throws on unequal lengths (the length is not secret).
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted))
    return { ok: false, reason: 'bad signature' };
  let claims: ActionClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as ActionClaims;
  } catch {
    return { ok: false, reason: 'malformed claims' };
  }
  if (typeof claims.e !== 'number' || claims.e * 1000 <= now.getTime())
    return { ok: false, reason: 'expired' };
  if (claims.k !== expected.incidentKey || claims.a !== expected.action) {
    return { ok: false, reason: 'token is for another incident or action' };
  }
  if (typeof claims.s !== 'number' || typeof claims.n !== 'string')
    return { ok: false, reason: 'malformed claims' };
  return { ok: true, claims };
}

export interface ActionLinkConfig {
  key: string;
  /** Public base URL of the Function App, e.g. https://func-x.azurewebsites.net */
  baseUrl: string;
  ttlSeconds: number;
}

/** The URL a card button opens: GET shows a confirmation page, its form POSTs the action. */
export function actionLink(
  config: ActionLinkConfig,
  incidentKey: string,
  action: IncidentAction,
  alertSeq: number,
  now: Date,
): string {
  const token = signActionToken(config.key, {
    k: incidentKey,
    a: action,
    s: alertSeq,
    e: Math.floor(now.getTime() / 1000) + config.ttlSeconds,
    n: `${incidentKey}:${alertSeq}:${action}`,
  });
  return `${incidentUrl(config.baseUrl, incidentKey)}/actions/${action}?token=${encodeURIComponent(token)}`;
}

export function incidentUrl(baseUrl: string, incidentKey: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/incidents/${encodeURIComponent(incidentKey)}`;
}
