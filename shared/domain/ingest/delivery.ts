/**
 * What a verified, parsed delivery turns into before anything is written: its topic, tenant and
 * delivery id, and the items to land (each with the source id, revision and JSON Pointer that
 * select it inside the original body).
 */
import { createHash } from 'node:crypto';

export interface DeliveryInput {
  /** Case-insensitive request header lookup. */
  header(name: string): string | undefined;
  /** Query string parameter lookup. */
  query(name: string): string | undefined;
  /** The body, parsed as JSON (after the signature was verified on the raw bytes). */
  body: unknown;
  rawBody: Buffer;
  receivedAt: Date;
}

export interface PlannedItem {
  sourceId: string;
  /** Sorts chronologically as a string (see raw-path.ts). */
  revision: string;
  /** RFC 6901 pointer of the item inside the body; '' when the body is the item. */
  itemPointer: string;
  /** The item's own event time when the payload has one; decides the date folder. */
  eventTime?: Date;
  /** False when the delivery is landed for the record only (a topic that carries no feedback). */
  feedback: boolean;
}

export interface DeliveryPlan {
  topic: string;
  tenant: string;
  deliveryId: string;
  items: PlannedItem[];
  note?: string;
}

export type Extraction = { ok: true; plan: DeliveryPlan } | { ok: false; status: 400 | 422; error: string };

export const rejectWith = (status: 400 | 422, error: string): Extraction => ({ ok: false, status, error });

/** A stable delivery id for senders that send none: a hash of the body. */
export function bodyDigest(rawBody: Buffer): string {
  return `sha256-${createHash('sha256').update(rawBody).digest('hex').slice(0, 32)}`;
}

const TENANT = /^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$/;

export type TenantParse = { ok: true; tenant: string | undefined } | { ok: false };

/** `?tenant=` on the endpoint URL (generic senders, Zendesk): a host-name-like label. */
export function tenantFromQuery(input: DeliveryInput): TenantParse {
  const value = input.query('tenant');
  if (value === undefined || value === '') return { ok: true, tenant: undefined };
  return TENANT.test(value) ? { ok: true, tenant: value.toLowerCase() } : { ok: false };
}

export function isValidTenant(value: string): boolean {
  return TENANT.test(value);
}

/** Header values we copy into envelopes (ids): bounded and printable. */
export function headerId(input: DeliveryInput, name: string): string | undefined {
  const value = input.header(name)?.trim();
  if (!value || value.length > 128 || !/^[\x21-\x7e]+$/.test(value)) return undefined;
  return value;
}

/** Ids arrive as strings or numbers; numbers are written in plain decimal. */
export function idText(value: string | number): string {
  return typeof value === 'number' ? BigInt(Math.trunc(value)).toString() : value;
}

/** Escapes one reference token of a JSON Pointer (RFC 6901). */
export function pointerToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function landedOnlyNote(topic: string): string {
  return `topic ${topic} carries no feedback; landed only`;
}
