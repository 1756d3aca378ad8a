/**
 * Read APIs that work the same locally and in Azure: health (each dependency checked for real)
 * and one feedback record with every stage's block and its lineage back to the raw blob.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { FeedbackStore } from './ports.js';

export interface DependencyProbe {
  name: string;
  /** Resolves when the dependency answers; rejects (or times out) when it does not. */
  check(): Promise<void>;
}

const PROBE_TIMEOUT_MS = 5000;

async function probe(
  dependency: DependencyProbe,
): Promise<{ name: string; ok: boolean; ms: number; error?: string }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      dependency.check(),
      new Promise((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)),
          PROBE_TIMEOUT_MS,
        );
      }),
    ]);
    return { name: dependency.name, ok: true, ms: Date.now() - started };
  } catch (error) {
    return {
      name: dependency.name,
      ok: false,
      ms: Date.now() - started,
      error: error instanceof Error ? error.message.split('\n')[0] : 'failed',
    };
  } finally {
    clearTimeout(timer);
  }
}

export function makeHealth(probes: DependencyProbe[]) {
  return async (_request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> => {
    const results = await Promise.all(probes.map(probe));
    const down = results.filter((result) => !result.ok).map((result) => result.name);
    return {
      status: down.length === 0 ? 200 : 503,
      jsonBody: { status: down.length === 0 ? 'ok' : 'degraded', down, checks: results },
    };
  };
}

export function makeFeedbackApi(deps: { feedbackStore: FeedbackStore; rawContainerUrl: string }) {
  return async (request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> => {
    const id = request.params.id ?? '';
    if (!/^[0-9a-f]{32}$/.test(id))
      return { status: 400, jsonBody: { error: 'id must be a 32-character feedback id' } };
    const record = await deps.feedbackStore.get(id);
    if (!record) return { status: 404, jsonBody: { error: `no feedback ${id}` } };
    const lineage = (record.header as { lineage?: { rawBlob?: string } }).lineage;
    const rawBlob = lineage?.rawBlob ?? '';
    const routedAt = (record.route as { routedAt?: string } | undefined)?.routedAt;
    return {
      status: 200,
      jsonBody: {
        ...record,
        lineage: {
          ...lineage,
          ...(routedAt ? { routedAt } : {}),
          rawBlobUrl: rawBlob ? `${deps.rawContainerUrl.replace(/\/[^/]+$/, '')}/${rawBlob}` : undefined,
        },
      },
    };
  };
}
