/**
 * `npm run ingest -- <file.csv|file.jsonl> --source generic [--url <endpoint>] [--secret s]
 *  [--batch 100] [--tenant t]`
 *
 * Streams an export file, checks each row against the generic item schema, and posts signed
 * batches to a running stack (the local one by default, or Azure). Shows a progress bar on a
 * terminal (progress lines otherwise) and a final count. Honours 503/429 Retry-After.
 * Exit code: 0 all rows accepted, 2 some rows rejected, 1 failure. The demo feed reuses
 * `postFeedbackFile`.
 */
import { createReadStream, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readExportRows, exportFormatOf, ExportFileError } from '../shared/domain/ingest/export-rows.js';
import { GENERIC_BATCH_MAX_ITEMS } from '../shared/domain/ingest/generic-item.js';
import { signGenericBody } from '../shared/domain/ingest/signatures.js';

export const DEFAULT_INGEST_URL = 'http://127.0.0.1:7071/api/webhooks/generic';
/** Documented development secret; used only against a loopback endpoint. */
export const DEV_GENERIC_SECRET = 'dev-generic-secret-not-for-production';

export interface PostFeedbackOptions {
  file: string;
  url?: string;
  /** Signing secret; see resolveSigningSecret for the fallbacks. */
  secret: string;
  /** Items per request, at most 100 (the endpoint's limit). */
  batchSize?: number;
  /** Requests in flight. */
  concurrency?: number;
  /** Sent as `?tenant=`. */
  tenant?: string;
  /** Attempts per batch on 503/429 or network errors. */
  maxAttempts?: number;
  /** Longest wait honoured from Retry-After, in seconds. */
  maxRetryAfterSeconds?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  clock?: () => Date;
}

export interface PostProgress {
  rowsRead: number;
  /** Items newly landed. */
  accepted: number;
  /** Items the endpoint already had (a re-run of the same file). */
  duplicates: number;
  rejected: number;
  bytesRead: number;
  totalBytes: number;
}

export interface PostResult extends PostProgress {
  ok: boolean;
  error?: string;
  /** The first rejections (row number and reason); `rejected` counts them all. */
  rejections: { row: number; reason: string }[];
}

const MAX_LISTED_REJECTIONS = 100;

class FatalResponse extends Error {}

/** `--secret`, else the first GENERIC_WEBHOOK_SECRETS entry, else the dev secret on loopback only. */
export function resolveSigningSecret(
  url: string,
  secret: string | undefined,
  env: NodeJS.ProcessEnv,
): string {
  if (secret) return secret;
  const fromEnv = env.GENERIC_WEBHOOK_SECRETS?.split(',')[0]?.trim();
  if (fromEnv) return fromEnv;
  const host = new URL(url).hostname;
  if (['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) return DEV_GENERIC_SECRET;
  throw new Error(
    'no signing secret: pass --secret or set GENERIC_WEBHOOK_SECRETS (the dev secret is for loopback only)',
  );
}

export async function postFeedbackFile(
  options: PostFeedbackOptions,
  onProgress: (progress: PostProgress) => void = () => undefined,
): Promise<PostResult> {
  const format = exportFormatOf(options.file);
  if (!format) throw new Error(`unsupported file type (use .csv, .jsonl or .ndjson): ${options.file}`);
  const url = new URL(options.url ?? DEFAULT_INGEST_URL);
  if (options.tenant) url.searchParams.set('tenant', options.tenant);
  const batchSize = Math.min(
    Math.max(options.batchSize ?? GENERIC_BATCH_MAX_ITEMS, 1),
    GENERIC_BATCH_MAX_ITEMS,
  );
  const concurrency = Math.max(options.concurrency ?? 4, 1);
  const maxAttempts = options.maxAttempts ?? 8;
  const maxRetryAfter = options.maxRetryAfterSeconds ?? 60;
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const clock = options.clock ?? (() => new Date());

  const result: PostResult = {
    ok: true,
    rowsRead: 0,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    bytesRead: 0,
    totalBytes: statSync(options.file).size,
    rejections: [],
  };
  const progress = (): void =>
    onProgress({
      rowsRead: result.rowsRead,
      accepted: result.accepted,
      duplicates: result.duplicates,
      rejected: result.rejected,
      bytesRead: result.bytesRead,
      totalBytes: result.totalBytes,
    });
  const rejectRow = (row: number, reason: string): void => {
    result.rejected += 1;
    if (result.rejections.length < MAX_LISTED_REJECTIONS) result.rejections.push({ row, reason });
  };

  type Batch = { rows: number[]; items: Buffer[] };

  /** Posts one batch; splits it on 413/422 so one bad item does not sink its neighbours. */
  const postBatch = async (batch: Batch): Promise<void> => {
    const body = Buffer.concat([
      Buffer.from('['),
      ...batch.items.flatMap((item, index) => (index === 0 ? [item] : [Buffer.from(','), item])),
      Buffer.from(']'),
    ]);
    for (let attempt = 1; ; attempt += 1) {
      const timestamp = String(Math.floor(clock().getTime() / 1000));
      let response: Response;
      try {
        response = await doFetch(url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'X-Feedback-Timestamp': timestamp,
            'X-Feedback-Signature': signGenericBody(options.secret, timestamp, body),
          },
          body,
        });
      } catch (error) {
        if (attempt >= maxAttempts)
          throw new FatalResponse(`endpoint unreachable: ${(error as Error).message}`);
        await sleep(Math.min(500 * 2 ** attempt, maxRetryAfter * 1000));
        continue;
      }
      const answer = (await response.json().catch(() => ({}))) as {
        accepted?: number;
        duplicates?: number;
        error?: string;
      };
      if (response.status === 202) {
        const duplicates = answer.duplicates ?? 0;
        result.accepted += (answer.accepted ?? batch.items.length) - duplicates;
        result.duplicates += duplicates;
        return;
      }
      if (response.status === 503 || response.status === 429 || response.status >= 500) {
        if (attempt >= maxAttempts)
          throw new FatalResponse(
            `endpoint still unavailable after ${attempt} attempts (${response.status})`,
          );
        const retryAfter = Number(response.headers.get('retry-after'));
        const waitSeconds =
          Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, maxRetryAfter) : 2 ** attempt;
        await sleep(waitSeconds * 1000);
        continue;
      }
      if ((response.status === 422 || response.status === 413) && batch.items.length > 1) {
        const half = Math.ceil(batch.items.length / 2);
        await postBatch({ rows: batch.rows.slice(0, half), items: batch.items.slice(0, half) });
        await postBatch({ rows: batch.rows.slice(half), items: batch.items.slice(half) });
        return;
      }
      if (response.status === 422 || response.status === 413) {
        rejectRow(batch.rows[0]!, `${response.status} ${answer.error ?? ''}`.trim());
        return;
      }
      throw new FatalResponse(`endpoint answered ${response.status}: ${answer.error ?? response.statusText}`);
    }
  };

  // At most `concurrency` batches in flight; reading waits while they are.
  let inFlight = 0;
  let wake: (() => void) | undefined;
  let failure: unknown;
  const nextSettled = () => new Promise<void>((resolve) => (wake = resolve));
  const launch = (batch: Batch): void => {
    inFlight += 1;
    void postBatch(batch)
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => {
        inFlight -= 1;
        progress();
        const resume = wake;
        wake = undefined;
        resume?.();
      });
  };

  async function* countingBytes(stream: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of stream) {
      result.bytesRead += chunk.length;
      yield chunk;
    }
  }

  try {
    let batch: Batch = { rows: [], items: [] };
    const stream = createReadStream(options.file);
    for await (const row of readExportRows(countingBytes(stream), format)) {
      if (failure) break;
      result.rowsRead += 1;
      if (!row.item || !row.bytes) {
        rejectRow(row.row, row.error ?? 'invalid row');
        continue;
      }
      batch.rows.push(row.row);
      batch.items.push(row.bytes);
      if (batch.items.length >= batchSize) {
        launch(batch);
        batch = { rows: [], items: [] };
        while (inFlight >= concurrency) await nextSettled();
      }
    }
    stream.destroy();
    if (batch.items.length > 0 && !failure) launch(batch);
    while (inFlight > 0) await nextSettled();
  } catch (error) {
    while (inFlight > 0) await nextSettled();
    if (!(error instanceof ExportFileError)) throw error;
    failure = error;
  }
  progress();
  if (failure) {
    result.ok = false;
    result.error = failure instanceof Error ? failure.message : 'failed';
  }
  return result;
}

function progressBar(progress: PostProgress, width = 30): string {
  const fraction = progress.totalBytes > 0 ? Math.min(progress.bytesRead / progress.totalBytes, 1) : 1;
  const filled = Math.round(fraction * width);
  return (
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ` +
    `rows ${progress.rowsRead} accepted ${progress.accepted} duplicates ${progress.duplicates} rejected ${progress.rejected}`
  );
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      source: { type: 'string', default: 'generic' },
      url: { type: 'string', default: DEFAULT_INGEST_URL },
      secret: { type: 'string' },
      batch: { type: 'string', default: String(GENERIC_BATCH_MAX_ITEMS) },
      concurrency: { type: 'string', default: '4' },
      tenant: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const file = positionals[0];
  if (values.help || !file) {
    process.stderr.write(
      'usage: npm run ingest -- <file.csv|file.jsonl> --source generic [--url <endpoint>] [--secret s] [--batch 100] [--tenant t]\n',
    );
    return values.help ? 0 : 1;
  }
  if (values.source !== 'generic') {
    process.stderr.write(`only --source generic is supported for files (got ${values.source})\n`);
    return 1;
  }
  const batchSize = Number(values.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > GENERIC_BATCH_MAX_ITEMS) {
    process.stderr.write(`--batch must be an integer from 1 to ${GENERIC_BATCH_MAX_ITEMS}\n`);
    return 1;
  }
  const secret = resolveSigningSecret(values.url, values.secret, process.env);
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  const started = Date.now();
  const result = await postFeedbackFile(
    {
      file,
      url: values.url,
      secret,
      batchSize,
      concurrency: Number(values.concurrency) || 4,
      ...(values.tenant ? { tenant: values.tenant } : {}),
    },
    (progress) => {
      if (tty) process.stderr.write(`\r${progressBar(progress)}`);
      else if (Date.now() - lastLine >= 5000) {
        lastLine = Date.now();
        process.stderr.write(`${progressBar(progress)}\n`);
      }
    },
  );
  if (tty) process.stderr.write('\n');
  for (const rejection of result.rejections.slice(0, 20))
    process.stderr.write(`row ${rejection.row}: ${rejection.reason}\n`);
  if (result.rejected > 20) process.stderr.write(`... and ${result.rejected - 20} more rejected rows\n`);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `${file}: ${result.rowsRead} rows read, ${result.accepted} accepted, ${result.duplicates} duplicates, ${result.rejected} rejected in ${seconds} s\n`,
  );
  if (!result.ok) {
    process.stderr.write(`failed: ${result.error ?? 'unknown error'}\n`);
    return 1;
  }
  return result.rejected > 0 ? 2 : 0;
}

const invokedDirectly = /[/\\]scripts[/\\]ingest\.(ts|js)$/.test(process.argv[1] ?? '');
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
