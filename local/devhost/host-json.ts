import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of host.json the dev host honours, with the Functions host's defaults. */
export interface HostSettings {
  routePrefix: string;
  maxEventBatchSize: number;
  maxWaitTimeSeconds: number;
  blobPollIntervalMs: number;
  blobMaxDegreeOfParallelism: number;
  poisonBlobThreshold: number;
}

interface HostJson {
  version?: string;
  extensions?: {
    http?: { routePrefix?: string };
    eventHubs?: { maxEventBatchSize?: number; maxWaitTime?: string };
    blobs?: { maxDegreeOfParallelism?: number; poisonBlobThreshold?: number };
  };
}

/** `hh:mm:ss` → seconds. */
function timeSpanSeconds(value: string | undefined, fallback: number): number {
  if (!value) return fallback;
  const parts = value.split(':').map(Number);
  if (parts.length !== 3 || parts.some((part) => Number.isNaN(part))) return fallback;
  const [hours = 0, minutes = 0, seconds = 0] = parts;
  return hours * 3600 + minutes * 60 + seconds;
}

export function readHostJson(appDir: string): HostSettings {
  const hostJson = JSON.parse(readFileSync(join(appDir, 'host.json'), 'utf8')) as HostJson;
  if (hostJson.version !== '2.0') throw new Error('host.json must have "version": "2.0"');
  const extensions = hostJson.extensions ?? {};
  return {
    routePrefix: extensions.http?.routePrefix ?? 'api',
    maxEventBatchSize: extensions.eventHubs?.maxEventBatchSize ?? 100,
    // The extension waits up to maxWaitTime for a full batch; locally we cap it at 1 s.
    maxWaitTimeSeconds: Math.min(1, timeSpanSeconds(extensions.eventHubs?.maxWaitTime, 60)),
    blobPollIntervalMs: 500,
    blobMaxDegreeOfParallelism: extensions.blobs?.maxDegreeOfParallelism ?? 8,
    poisonBlobThreshold: extensions.blobs?.poisonBlobThreshold ?? 5,
  };
}
