/**
 * npm run classify -- <in.jsonl> --out <out.jsonl> [--catalog config/catalog.json]
 *
 * Runs the same text preparation as the normalize stage (clean, redact PII, language, spam,
 * entities) and the same classifier as the classify stage, offline: no stack, no LLM unless
 * AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_DEPLOYMENT are set (key from AZURE_OPENAI_API_KEY,
 * otherwise your Azure login). Input lines: {id, text, title?, rating?, npsScore?, language?, sku?, channel?}.
 * Output lines: {id, language, redactedText, piiTypes, spam, sentiment, primaryCategory,
 * secondaryCategories, component, severity, intent, ownerTeam, method, summary}.
 */
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { prepareFeedbackText } from '../shared/domain/normalize/index.js';
import { loadCatalog, type Catalog } from '../shared/domain/catalog.js';
import { buildClassifier } from '../shared/domain/classify/classifier.js';
import { loadLocalClassifierFiles } from '../shared/domain/classify/load.js';
import {
  loadFewShot,
  loadPrompt,
  makeLlmClassifier,
  MemoryLlmCache,
  type LlmClassifier,
} from '../shared/domain/classify/llm.js';
import { makeValidator } from '../shared/domain/validation.js';
import { azureOpenAiTokenProvider, makeAzureOpenAiChat } from '../shared/adapters/azure-openai.js';

interface InputLine {
  id: string;
  text: string;
  title?: string;
  rating?: number;
  npsScore?: number;
  language?: string;
  sku?: string;
  channel?: string;
}

const validateLine = makeValidator<InputLine>({
  type: 'object',
  required: ['id', 'text'],
  properties: {
    id: { type: ['string', 'number'] },
    text: { type: 'string' },
    title: { type: 'string' },
    rating: { type: 'number', minimum: 1, maximum: 5 },
    npsScore: { type: 'integer', minimum: 0, maximum: 10 },
    language: { type: 'string' },
    sku: { type: 'string' },
    channel: { type: 'string' },
  },
  additionalProperties: true,
});

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    catalog: { type: 'string', default: 'config/catalog.json' },
    quiet: { type: 'boolean', default: false },
  },
});
const input = positionals[0];
if (!input || !args.out) {
  console.error('usage: npm run classify -- <in.jsonl> --out <out.jsonl>');
  process.exit(2);
}

const files = loadLocalClassifierFiles();
const catalog: Catalog = existsSync(args.catalog)
  ? loadCatalog(args.catalog)
  : { version: 'none', currency: 'EUR', products: [] };
// Tokens are keyed hashes of order numbers; offline output never contains them, so a fixed local key is fine.
const prepareOptions = {
  tokenKey: process.env.PII_TOKEN_KEY ?? 'offline-cli-key-not-a-secret',
  taxonomy: files.taxonomy,
  catalog,
};

function llmFromEnvironment(): LlmClassifier | undefined {
  const endpoint = process.env.AZURE_OPENAI_ENDPOINT;
  const deployment = process.env.AZURE_OPENAI_DEPLOYMENT;
  if (!endpoint || !deployment) return undefined;
  const apiKey = process.env.AZURE_OPENAI_API_KEY;
  const chat = makeAzureOpenAiChat({
    endpoint,
    deployment,
    apiVersion: process.env.AZURE_OPENAI_API_VERSION,
    ...(apiKey
      ? { apiKey }
      : { azureADTokenProvider: azureOpenAiTokenProvider(process.env.AZURE_CLIENT_ID) }),
  });
  return makeLlmClassifier({
    chat,
    taxonomy: files.taxonomy,
    prompt: loadPrompt('prompts/classify-v1.md'),
    fewShot: loadFewShot('config/classify/few-shot.json'),
    cache: new MemoryLlmCache(),
    hourlyTokenBudget: Number(process.env.LLM_HOURLY_TOKEN_BUDGET ?? 200_000),
    concurrency: Number(process.env.LLM_CONCURRENCY ?? 4),
    clock: () => new Date(),
  });
}

const llm = llmFromEnvironment();
const classifier = buildClassifier({
  ...files,
  llm,
  escalationThreshold: Number(process.env.CLASSIFY_CONFIDENCE_THRESHOLD ?? 0.55),
});
const lines = readFileSync(input, 'utf8')
  .split(/\r?\n/)
  .filter((line) => line.trim() !== '');
const out = createWriteStream(args.out);
let done = 0;
let failed = 0;
let escalated = 0;
const started = Date.now();

function progress(final = false): void {
  if (args.quiet || (!process.stderr.isTTY && !final)) return;
  const share = lines.length === 0 ? 1 : done / lines.length;
  const width = 30;
  const bar = '#'.repeat(Math.round(share * width)).padEnd(width, '.');
  const rate = Math.round(done / Math.max(0.001, (Date.now() - started) / 1000));
  process.stderr.write(
    `\r[${bar}] ${done}/${lines.length} ${rate}/s${failed ? `, ${failed} bad lines` : ''}${final ? '\n' : ''}`,
  );
}

for (const [index, line] of lines.entries()) {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    parsed = undefined;
  }
  const checked = validateLine(parsed);
  if (!checked.ok) {
    failed++;
    console.error(`\nline ${index + 1}: ${parsed === undefined ? 'not JSON' : checked.error}`);
    done++;
    continue;
  }
  const item = checked.value;
  const prepared = prepareFeedbackText(
    { text: item.text, title: item.title, languageHint: item.language },
    prepareOptions,
  );
  const outcome = await classifier.classify({
    text: prepared.text,
    title: prepared.title,
    language: prepared.language.code === 'und' ? (item.language ?? 'en') : prepared.language.code,
    rating: item.rating,
    npsScore: item.npsScore,
    isSpam: prepared.spam.isSpam,
    components: prepared.entities.components,
  });
  if (outcome.llm?.attempted) escalated++;
  const c = outcome.classification;
  const record = {
    id: item.id,
    language: prepared.language.code,
    redactedText: prepared.text,
    piiTypes: prepared.piiTypes,
    spam: prepared.spam,
    sentiment: c.sentiment,
    primaryCategory: c.primaryCategory,
    secondaryCategories: c.secondaryCategories,
    component: c.component,
    severity: c.severity,
    intent: c.intent,
    ownerTeam: c.ownerTeam,
    method: c.provenance.method,
    summary: c.summary,
  };
  if (!out.write(`${JSON.stringify(record)}\n`))
    await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  done++;
  if (done % 200 === 0) progress();
}
progress(true);
await new Promise<void>((resolve, reject) =>
  out.end((error?: Error | null) => (error ? reject(error) : resolve())),
);
if (!args.quiet)
  console.error(
    `classified ${done - failed} items (${failed} bad lines, ${escalated} escalated${llm ? '' : ', no LLM configured'}) → ${args.out}`,
  );
process.exitCode = failed > 0 ? 1 : 0;
