/**
 * LLM escalation, SDK-free: the answer's schema (one definition for ajv and for the strict
 * `json_schema` response format), the versioned prompt with the review delimited as data,
 * few-shot examples, the cache key, the hourly token budget, the concurrency limit and the
 * validate → repair once → give up flow. The HTTP call is a port (ChatCompletionPort) that
 * shared/adapters/azure-openai.ts implements.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  intents,
  sentimentLabels,
  severities,
  type Intent,
  type SentimentLabel,
  type Severity,
  type Taxonomy,
} from '../taxonomy.js';
import { makeValidator, type Validator } from '../validation.js';
import type { CandidateLabels } from './labels.js';

export interface LlmLabels {
  sentiment: SentimentLabel;
  sentimentScore: number;
  primaryCategory: string;
  secondaryCategories: string[];
  component: string | null;
  severity: Severity;
  intent: Intent;
  summary: string;
  /** The model noticed instructions inside the review (they were ignored). */
  injectionSuspected: boolean;
}

export interface LlmUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface LlmRequest {
  text: string;
  language: string;
  rating?: number;
  npsScore?: number;
  candidates: CandidateLabels;
}

export type LlmOutcome =
  | { ok: true; labels: LlmLabels; usage: LlmUsage; cached: boolean }
  | { ok: false; reason: string; usage?: LlmUsage };

export interface LlmClassifier {
  readonly promptVersion: string;
  readonly deployment: string;
  classify(request: LlmRequest): Promise<LlmOutcome>;
}

/** The answer's JSON Schema, with the validation keywords ajv checks (ranges, lengths). */
export function llmLabelsSchema(taxonomy: Taxonomy): Record<string, unknown> {
  const categories = taxonomy.categories.map((category) => category.id);
  const components = taxonomy.components.map((component) => component.id);
  return {
    type: 'object',
    properties: {
      sentiment: { type: 'string', enum: [...sentimentLabels] },
      sentimentScore: { type: 'number', minimum: -1, maximum: 1 },
      primaryCategory: { type: 'string', enum: categories },
      secondaryCategories: { type: 'array', items: { type: 'string', enum: categories }, maxItems: 3 },
      component: { type: ['string', 'null'], enum: [...components, null] },
      severity: { type: 'string', enum: [...severities] },
      intent: { type: 'string', enum: [...intents] },
      summary: { type: 'string', maxLength: 200 },
      injectionSuspected: { type: 'boolean' },
    },
    required: [
      'sentiment',
      'sentimentScore',
      'primaryCategory',
      'secondaryCategories',
      'component',
      'severity',
      'intent',
      'summary',
      'injectionSuspected',
    ],
    additionalProperties: false,
  };
}

/** Keywords structured outputs (strict) does not accept; ajv still checks them locally. */
const unsupportedInStrict = new Set([
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'pattern',
  'format',
  '$id',
  '$schema',
]);

/**
 * The strict `json_schema` variant derived from the validator's schema: every property required,
 * `additionalProperties: false` on every object, unsupported keywords removed.
 */
export function toStrictJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toStrictJsonSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema as Record<string, unknown>)) {
    if (unsupportedInStrict.has(key)) continue;
    if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([name, sub]) => [
          name,
          toStrictJsonSchema(sub),
        ]),
      );
    } else {
      out[key] = toStrictJsonSchema(value);
    }
  }
  if (out.type === 'object' || (Array.isArray(out.type) && out.type.includes('object'))) {
    out.required = Object.keys((out.properties as Record<string, unknown> | undefined) ?? {});
    out.additionalProperties = false;
  }
  return out;
}

export interface PromptTemplate {
  version: string;
  system: string;
  user: string;
}

/**
 * A prompt file: a `version:` line, then `### system` and `### user` sections. Placeholders:
 * {{categories}} {{components}} {{severities}} {{intents}} {{language}} {{rating}}
 * {{candidates}} {{review}}.
 */
export function parsePrompt(source: string): PromptTemplate {
  const version = /^version:\s*(\S+)\s*$/m.exec(source)?.[1];
  const system = /^### system\s*\n([\s\S]*?)(?=^### user)/m.exec(source)?.[1]?.trim();
  const user = /^### user\s*\n([\s\S]*)$/m.exec(source)?.[1]?.trim();
  if (!version || !system || !user)
    throw new Error('prompt file needs a version line, ### system and ### user');
  return { version, system, user };
}

export function loadPrompt(path: string): PromptTemplate {
  return parsePrompt(readFileSync(path, 'utf8'));
}

export interface FewShotExample {
  text: string;
  language: string;
  rating?: number;
  answer: LlmLabels;
}

export function loadFewShot(path: string): FewShotExample[] {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { examples?: FewShotExample[] };
  if (!Array.isArray(parsed.examples)) throw new Error(`${path} has no examples array`);
  return parsed.examples;
}

/** The review can never close its own delimiter or open a new one. */
export function delimitReview(text: string): string {
  const safe = text.replace(/</g, '\u2039').replace(/>/g, '\u203a');
  return `<review>\n${safe}\n</review>`;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
}

export function renderMessages(
  prompt: PromptTemplate,
  taxonomy: Taxonomy,
  fewShot: FewShotExample[],
  request: LlmRequest,
): ChatMessage[] {
  const shared = {
    categories: taxonomy.categories.map((category) => `- ${category.id}: ${category.description}`).join('\n'),
    components: taxonomy.components.map((component) => component.id).join(', '),
    severities: severities.join(', '),
    intents: intents.join(', '),
  };
  const userFor = (text: string, language: string, rating: string, candidates: string) =>
    fill(prompt.user, { ...shared, language, rating, candidates, review: delimitReview(text) });
  const ratingOf = (rating?: number, nps?: number) =>
    rating !== undefined ? `${rating}/5 stars` : nps !== undefined ? `NPS ${nps}/10` : 'none';
  const messages: ChatMessage[] = [{ role: 'system', content: fill(prompt.system, shared) }];
  for (const example of fewShot) {
    messages.push({
      role: 'user',
      content: userFor(example.text, example.language, ratingOf(example.rating), 'none'),
    });
    messages.push({ role: 'assistant', content: JSON.stringify(example.answer) });
  }
  const candidates = JSON.stringify({
    sentiment: request.candidates.sentiment.label,
    primaryCategory: request.candidates.primaryCategory,
    severity: request.candidates.severity,
    intent: request.candidates.intent,
  });
  messages.push({
    role: 'user',
    content: userFor(request.text, request.language, ratingOf(request.rating, request.npsScore), candidates),
  });
  return messages;
}

export interface ChatRequest {
  messages: ChatMessage[];
  schemaName: string;
  /** Already strict (see toStrictJsonSchema). */
  schema: unknown;
  maxTokens: number;
}

export interface ChatResponse {
  content: string | null;
  finishReason: string;
  usage: LlmUsage;
  refusal?: string | null;
}

export type LlmCallErrorKind =
  'content_filter' | 'timeout' | 'rate_limited' | 'server' | 'client' | 'network';

/** A call that failed after the adapter's own retries. */
export class LlmCallError extends Error {
  constructor(
    readonly kind: LlmCallErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'LlmCallError';
  }
}

export interface ChatCompletionPort {
  readonly deployment: string;
  complete(request: ChatRequest): Promise<ChatResponse>;
}

export interface CachedAnswer {
  /** The cache key (also the partition key in Cosmos). */
  hash: string;
  labels: LlmLabels;
  promptVersion: string;
  deployment: string;
  usage: LlmUsage;
  createdAt: string;
}

export interface LlmCache {
  get(hash: string): Promise<CachedAnswer | undefined>;
  put(entry: CachedAnswer): Promise<void>;
}

export class MemoryLlmCache implements LlmCache {
  readonly entries = new Map<string, CachedAnswer>();
  get(hash: string): Promise<CachedAnswer | undefined> {
    return Promise.resolve(this.entries.get(hash));
  }
  put(entry: CachedAnswer): Promise<void> {
    this.entries.set(entry.hash, structuredClone(entry));
    return Promise.resolve();
  }
}

export function cacheKey(text: string, promptVersion: string, deployment: string): string {
  const textHash = createHash('sha256').update(text).digest('hex');
  return createHash('sha256').update(`${textHash}\u0000${promptVersion}\u0000${deployment}`).digest('hex');
}

/**
 * Tokens per clock hour, per process. Reservations use an estimate; the real usage replaces
 * it when the call returns. Exhausted means "use the local result", never "drop the item".
 */
export class HourlyTokenBudget {
  private hour = '';
  private used = 0;
  constructor(
    private readonly limit: number,
    private readonly clock: () => Date,
  ) {}
  private roll(): void {
    const hour = this.clock().toISOString().slice(0, 13);
    if (hour !== this.hour) {
      this.hour = hour;
      this.used = 0;
    }
  }
  tryReserve(estimate: number): boolean {
    this.roll();
    if (this.used + estimate > this.limit) return false;
    this.used += estimate;
    return true;
  }
  settle(estimate: number, actual: number): void {
    this.roll();
    this.used = Math.max(0, this.used - estimate + actual);
  }
  get usedThisHour(): number {
    this.roll();
    return this.used;
  }
}

export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export interface LlmClassifierOptions {
  chat: ChatCompletionPort;
  taxonomy: Taxonomy;
  prompt: PromptTemplate;
  fewShot: FewShotExample[];
  cache: LlmCache;
  hourlyTokenBudget: number;
  concurrency: number;
  clock: () => Date;
  maxTokens?: number;
  /** Called with each call's usage (telemetry). */
  onUsage?: (
    usage: LlmUsage,
    details: { cached: boolean; promptVersion: string; deployment: string },
  ) => void;
}

const zeroUsage = (): LlmUsage => ({ promptTokens: 0, completionTokens: 0, totalTokens: 0 });

function addUsage(total: LlmUsage, more: LlmUsage): LlmUsage {
  return {
    promptTokens: total.promptTokens + more.promptTokens,
    completionTokens: total.completionTokens + more.completionTokens,
    totalTokens: total.totalTokens + more.totalTokens,
  };
}

function parseAnswer(
  validate: Validator<LlmLabels>,
  content: string | null,
): { ok: true; labels: LlmLabels } | { ok: false; error: string } {
  if (content === null || content.trim() === '') return { ok: false, error: 'empty answer' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return { ok: false, error: 'answer is not JSON' };
  }
  const checked = validate(parsed);
  return checked.ok ? { ok: true, labels: checked.value } : { ok: false, error: checked.error };
}

export function makeLlmClassifier(options: LlmClassifierOptions): LlmClassifier {
  const schema = llmLabelsSchema(options.taxonomy);
  const validate = makeValidator<LlmLabels>(schema);
  const strictSchema = toStrictJsonSchema(schema);
  const budget = new HourlyTokenBudget(options.hourlyTokenBudget, options.clock);
  const semaphore = new Semaphore(Math.max(1, options.concurrency));
  const maxTokens = options.maxTokens ?? 300;
  const { chat, prompt } = options;
  const promptVersion = prompt.version;

  async function call(messages: ChatMessage[]): Promise<ChatResponse> {
    return semaphore.run(() =>
      chat.complete({ messages, schemaName: 'feedback_classification', schema: strictSchema, maxTokens }),
    );
  }

  async function classify(request: LlmRequest): Promise<LlmOutcome> {
    const hash = cacheKey(request.text, promptVersion, chat.deployment);
    const cached = await options.cache.get(hash);
    if (cached && validate(cached.labels).ok) {
      options.onUsage?.(zeroUsage(), { cached: true, promptVersion, deployment: chat.deployment });
      return { ok: true, labels: cached.labels, usage: zeroUsage(), cached: true };
    }
    const messages = renderMessages(prompt, options.taxonomy, options.fewShot, request);
    const estimate =
      Math.ceil(messages.reduce((sum, message) => sum + message.content.length, 0) / 3) + maxTokens;
    if (!budget.tryReserve(estimate)) return { ok: false, reason: 'hourly token budget exhausted' };
    let usage = zeroUsage();
    try {
      let response = await call(messages);
      usage = addUsage(usage, response.usage);
      if (response.finishReason === 'content_filter') return { ok: false, reason: 'content filter', usage };
      if (response.refusal) return { ok: false, reason: 'model refused', usage };
      let parsed = parseAnswer(validate, response.content);
      if (!parsed.ok) {
        // One repair attempt: show the model its answer and what was wrong with it.
        const repair: ChatMessage[] = [
          ...messages,
          { role: 'assistant', content: response.content ?? '' },
          {
            role: 'user',
            content: `That answer is invalid (${parsed.error}). Reply with only the JSON object the schema asks for.`,
          },
        ];
        response = await call(repair);
        usage = addUsage(usage, response.usage);
        if (response.finishReason === 'content_filter') return { ok: false, reason: 'content filter', usage };
        const repaired = parseAnswer(validate, response.content);
        if (!repaired.ok)
          return { ok: false, reason: `invalid answer after repair: ${repaired.error}`, usage };
        parsed = repaired;
      }
      await options.cache.put({
        hash,
        labels: parsed.labels,
        promptVersion,
        deployment: chat.deployment,
        usage,
        createdAt: options.clock().toISOString(),
      });
      return { ok: true, labels: parsed.labels, usage, cached: false };
    } catch (error) {
      if (error instanceof LlmCallError)
        return { ok: false, reason: `${error.kind}: ${error.message}`, usage };
      throw error;
    } finally {
      budget.settle(estimate, usage.totalTokens);
      options.onUsage?.(usage, { cached: false, promptVersion, deployment: chat.deployment });
    }
  }

  return { promptVersion, deployment: chat.deployment, classify };
}
