/**
 * The quarantine, seen and replayed: `GET /api/quarantine` lists what could not be processed,
 * `POST /api/quarantine/{id}/replay` sends it through its stage again (after a rule, prompt or
 * code fix). Replay re-enters the stage's own input: a raw blob is rewritten with the same bytes so its trigger
 * sees a new version; events are republished to the stage's input hub with their product key.
 * Every stage is idempotent, so replaying something that was partly processed changes nothing
 * that already happened.
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { stages, type StageName } from '../topology.js';
import type { Clock, EventPublisher, QuarantineEntry } from './ports.js';

export interface StoredQuarantineEntry extends QuarantineEntry {
  status: 'quarantined' | 'replayed';
  replayedAt?: string;
  replays?: number;
}

export interface QuarantineStore {
  list(limit: number): Promise<StoredQuarantineEntry[]>;
  get(id: string): Promise<StoredQuarantineEntry | undefined>;
  markReplayed(entry: StoredQuarantineEntry, at: string): Promise<void>;
}

export interface BlobRetrigger {
  /** Writes the blob again with the same bytes (a new version and a created event), so its trigger runs again. */
  touch(blobPath: string): Promise<void>;
}

export interface QuarantineApiDeps {
  store: QuarantineStore;
  publisher: EventPublisher;
  blobs: BlobRetrigger;
  clock: Clock;
}

export const quarantineApiRoutes = {
  list: { route: 'quarantine', methods: ['GET'] as const, authLevel: 'function' as const },
  replay: { route: 'quarantine/{id}/replay', methods: ['POST'] as const, authLevel: 'function' as const },
};

function eventsIn(payload: unknown): { body: unknown; partitionKey: string }[] {
  const list: unknown[] = Array.isArray(payload) ? (payload as unknown[]) : [payload];
  return list.flatMap((item) => {
    const event: unknown = typeof item === 'string' ? safeParse(item) : item;
    if (typeof event !== 'object' || event === null) return [];
    const productKey = (event as { productKey?: unknown }).productKey;
    return [
      {
        body: event,
        partitionKey: typeof productKey === 'string' && productKey !== '' ? productKey : 'unknown',
      },
    ];
  });
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The input hub of an Event Hubs-triggered stage. */
function inputHubOf(stage: StageName): string | undefined {
  const definition = stages[stage];
  return 'hub' in definition ? definition.hub : undefined;
}

export function makeQuarantineApi(deps: QuarantineApiDeps) {
  const list = async (request: HttpRequest, _context: InvocationContext): Promise<HttpResponseInit> => {
    const limit = Math.min(500, Math.max(1, Number(request.query.get('limit') ?? '100') || 100));
    const entries = await deps.store.list(limit);
    return {
      status: 200,
      jsonBody: entries.map(({ payload: _payload, ...summary }) => summary),
    };
  };

  const replay = async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const id = request.params.id ?? '';
    const entry = await deps.store.get(id);
    if (!entry) return { status: 404, jsonBody: { error: `no quarantine entry ${id}` } };
    const payload = entry.payload as { blobPath?: unknown } | undefined;
    if (entry.stage === 'normalize' && typeof payload?.blobPath === 'string') {
      await deps.blobs.touch(payload.blobPath);
    } else {
      const hub = inputHubOf(entry.stage);
      const events = eventsIn(entry.payload);
      if (!hub || events.length === 0) {
        return {
          status: 422,
          jsonBody: { error: `entry ${id} (${entry.stage}) holds nothing this API can replay` },
        };
      }
      await deps.publisher.publish(hub, events);
    }
    await deps.store.markReplayed(entry, deps.clock().toISOString());
    context.log(`quarantine ${id} (${entry.stage}) replayed`);
    return { status: 202, jsonBody: { replayed: id, stage: entry.stage } };
  };

  return { list, replay };
}
