/**
 * Export files dropped into the `landing` container (CSV or JSONL) become the same raw
 * envelopes as webhooks, one per good row, with a report blob beside the file. The file is
 * streamed row by row and at most a few writes are in flight, so its size does not matter.
 * Storage outages are rethrown so the blob trigger retries; rows already landed are then
 * found in place ('exists'), so a retry never duplicates anything.
 */
import { createHash } from 'node:crypto';
import type { Clock, Logger } from './ports.js';
import type { RawStore } from './ingest.js';
import { buildLandingWrite } from '../domain/ingest/envelope.js';
import { plannedGenericItem } from '../domain/ingest/generic.js';
import { isValidTenant } from '../domain/ingest/delivery.js';
import {
  ExportFileError,
  exportFormatOf,
  readExportRows,
  type ExportFormat,
} from '../domain/ingest/export-rows.js';

export interface Landing {
  openRead(path: string): Promise<NodeJS.ReadableStream>;
  writeReport(path: string, report: object): Promise<void>;
}

export interface IngestExportDeps {
  rawStore: RawStore;
  landing: Landing;
  clock: Clock;
  logger: Logger;
}

export interface ExportRejection {
  row: number;
  line: number;
  reason: string;
}

export interface ExportReport {
  file: string;
  status: 'done' | 'skipped' | 'failed';
  format?: ExportFormat;
  tenant: string;
  rowsAccepted: number;
  /** Rows whose item (id and revision) was already landed: accepted, nothing new written. */
  rowsDuplicate: number;
  rowsRejected: number;
  /** The first rejections, in file order; `rowsRejected` counts them all. */
  rejections: ExportRejection[];
  rejectionsTruncated: boolean;
  error?: string;
  startedAt: string;
  finishedAt: string;
  reportPath?: string;
}

export const EXPORT_TOPIC = 'export';
export const MAX_REPORTED_REJECTIONS = 1000;
const WRITES_IN_FLIGHT = 16;
const LANDING_PREFIX = 'landing/';

/** `landing/acme/file.csv` or `acme/file.csv` → path in the container and tenant `acme`. */
export function locateExportFile(blobPath: string): { path: string; tenant: string } {
  const path = blobPath.startsWith(LANDING_PREFIX) ? blobPath.slice(LANDING_PREFIX.length) : blobPath;
  const segments = path.split('/');
  const first = segments.length >= 2 ? segments[0]!.toLowerCase() : '';
  return { path, tenant: first !== '' && isValidTenant(first) ? first : '' };
}

export function makeIngestExportFile(deps: IngestExportDeps): (blobPath: string) => Promise<ExportReport> {
  return async (blobPath) => {
    const startedAt = deps.clock();
    const { path, tenant } = locateExportFile(blobPath);
    const format = exportFormatOf(path);
    const report: ExportReport = {
      file: path,
      status: 'done',
      tenant,
      rowsAccepted: 0,
      rowsDuplicate: 0,
      rowsRejected: 0,
      rejections: [],
      rejectionsTruncated: false,
      startedAt: startedAt.toISOString(),
      finishedAt: startedAt.toISOString(),
      ...(format ? { format } : {}),
    };
    if (!format) {
      // Reports (`*.report.json`) and other files land in the same container: not ours to read.
      deps.logger.info('ingest.export_skipped', { file: path });
      return { ...report, status: 'skipped' };
    }

    const deliveryId = `export-${createHash('sha256').update(path).digest('hex').slice(0, 24)}`;
    const plan = { topic: EXPORT_TOPIC, tenant, deliveryId };
    // A small semaphore: at most WRITES_IN_FLIGHT writes, and reading pauses while it is full.
    let inFlight = 0;
    let wake: (() => void) | undefined;
    const settled = () => {
      inFlight -= 1;
      const resume = wake;
      wake = undefined;
      resume?.();
    };
    const nextSettled = () => new Promise<void>((resolve) => (wake = resolve));
    const drain = async () => {
      while (inFlight > 0) await nextSettled();
    };
    let writeFailure: unknown;

    const land = async (row: number, item: Parameters<typeof plannedGenericItem>[0], bytes: Buffer) => {
      const write = buildLandingWrite(
        {
          source: 'generic',
          plan,
          receivedAt: startedAt,
          contentType: 'application/json',
          bodyBase64: bytes.toString('base64'),
        },
        plannedGenericItem(item, '', startedAt),
      );
      const metadata = {
        ...write.metadata,
        exportfile: encodeURIComponent(path).slice(0, 1024),
        exportrow: String(row),
      };
      const outcome = await deps.rawStore.putIfAbsent(
        write.path,
        Buffer.from(JSON.stringify(write.envelope)),
        metadata,
      );
      report.rowsAccepted += 1;
      if (outcome === 'exists') report.rowsDuplicate += 1;
    };

    const reject = (row: number, line: number, reason: string) => {
      report.rowsRejected += 1;
      if (report.rejections.length < MAX_REPORTED_REJECTIONS) report.rejections.push({ row, line, reason });
      else report.rejectionsTruncated = true;
    };

    try {
      const stream = await deps.landing.openRead(path);
      for await (const row of readExportRows(stream as AsyncIterable<Buffer>, format)) {
        if (writeFailure) break;
        if (!row.item || !row.bytes) {
          reject(row.row, row.line, row.error ?? 'invalid row');
          continue;
        }
        inFlight += 1;
        void land(row.row, row.item, row.bytes)
          .catch((error: unknown) => {
            writeFailure ??= error;
          })
          .finally(settled);
        if (inFlight >= WRITES_IN_FLIGHT) await nextSettled();
      }
    } catch (error) {
      if (!(error instanceof ExportFileError)) {
        await drain();
        throw error;
      }
      report.status = 'failed';
      report.error = error.message;
    }
    await drain();
    // Rethrow so the trigger retries the whole file; landed rows will be found in place.
    if (writeFailure)
      throw writeFailure instanceof Error
        ? writeFailure
        : new Error('raw store write failed', { cause: writeFailure });

    report.finishedAt = deps.clock().toISOString();
    report.reportPath = `${path}.report.json`;
    await deps.landing.writeReport(report.reportPath, report);
    deps.logger.info('ingest.export_done', {
      file: path,
      status: report.status,
      rowsAccepted: report.rowsAccepted,
      rowsDuplicate: report.rowsDuplicate,
      rowsRejected: report.rowsRejected,
    });
    return report;
  };
}
