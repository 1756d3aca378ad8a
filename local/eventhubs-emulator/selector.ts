/**
 * Start positions from a receiver link's source filter. The SDKs send one
 * `apache.org:selector-filter:string` (descriptor 0x468C00000004) such as
 * `amqp.annotation.x-opt-sequence-number > '41'`; offsets may also be '-1' (earliest) or
 * '@latest'. No filter means earliest.
 */
export type StartPosition =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'offset'; value: number; inclusive: boolean }
  | { kind: 'sequence'; value: number; inclusive: boolean }
  | { kind: 'time'; value: number; inclusive: boolean };

const SELECTOR =
  /^\s*amqp\.annotation\.x-opt-(offset|sequence-number|enqueued-time)\s*(>=|>)\s*'([^']*)'\s*$/i;

export class SelectorError extends Error {}

function selectorText(source: unknown): string | undefined {
  if (!source || typeof source !== 'object') return undefined;
  const filter = (source as { filter?: unknown }).filter;
  if (!filter || typeof filter !== 'object') return undefined;
  for (const [name, entry] of Object.entries(filter as Record<string, unknown>)) {
    if (!name.includes('selector-filter')) continue;
    if (typeof entry === 'string') return entry;
    if (entry && typeof entry === 'object' && 'value' in entry) {
      const value = entry.value;
      if (typeof value === 'string') return value;
    }
  }
  return undefined;
}

export function parseSelector(text: string): StartPosition {
  const match = SELECTOR.exec(text);
  if (!match) throw new SelectorError(`Unsupported selector filter: ${text}`);
  const field = (match[1] ?? '').toLowerCase();
  const inclusive = match[2] === '>=';
  const raw = match[3] ?? '';
  if (field === 'offset') {
    if (raw === '@latest') return { kind: 'latest' };
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new SelectorError(`Invalid offset '${raw}'`);
    if (value < 0) return { kind: 'earliest' };
    return { kind: 'offset', value, inclusive };
  }
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new SelectorError(`Invalid ${field} '${raw}'`);
  if (field === 'sequence-number') {
    if (value < 0) return { kind: 'earliest' };
    return { kind: 'sequence', value, inclusive };
  }
  return { kind: 'time', value, inclusive };
}

export function parseStartFilter(source: unknown): StartPosition {
  const text = selectorText(source);
  return text === undefined ? { kind: 'earliest' } : parseSelector(text);
}
