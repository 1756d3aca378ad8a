/**
 * The incident store on Cosmos DB: container `incidents`, partition key /key. Incidents and team
 * ledgers are point-read and replaced with If-Match on their ETag (optimistic concurrency);
 * creates fail with 409 when someone else created first. Lists are small cross-partition queries
 * (API and timer only), written in the portable subset the local emulator also speaks.
 *
 * MemoryIncidentStore honours the same contract for stage tests and the offline tools.
 */
import type { Container } from '@azure/cosmos';
import type { Incident, IncidentStatus } from '../domain/route/incident.js';
import { ledgerKeyOf, type TeamLedger } from '../domain/route/team-ledger.js';
import type { IncidentStore, SaveResult, Versioned } from '../stages/route.js';

type Stored = (Incident | TeamLedger) & { _etag?: string };

function statusCodeOf(error: unknown): number | undefined {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'number' ? code : undefined;
  }
  return undefined;
}

/** Drops Cosmos system properties so documents round-trip as the domain wrote them. */
function strip<T>(resource: Record<string, unknown>): T {
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(resource)) if (!name.startsWith('_')) copy[name] = value;
  return copy as T;
}

export class CosmosIncidentStore implements IncidentStore {
  constructor(private readonly container: Container) {}

  private async read<T>(key: string): Promise<Versioned<T> | undefined> {
    try {
      const response = await this.container.item(key, key).read<Stored>();
      const resource = response.resource as unknown as Record<string, unknown> | undefined;
      if (response.statusCode === 404 || !resource) return undefined;
      const etag = (resource._etag as string | undefined) ?? response.etag;
      return { value: strip<T>(resource), etag };
    } catch (error) {
      if (statusCodeOf(error) === 404) return undefined;
      throw error;
    }
  }

  private async write(doc: Incident | TeamLedger, etag: string | null): Promise<SaveResult> {
    try {
      const response =
        etag === null
          ? await this.container.items.create(doc)
          : await this.container
              .item(doc.id, doc.key)
              .replace(doc, { accessCondition: { type: 'IfMatch', condition: etag } });
      const resource = response.resource as unknown as Record<string, unknown> | undefined;
      return { status: 'saved', etag: (resource?._etag as string | undefined) ?? response.etag };
    } catch (error) {
      const code = statusCodeOf(error);
      if (code === 409 || code === 412 || (code === 404 && etag !== null)) return { status: 'conflict' };
      throw error;
    }
  }

  get(key: string): Promise<Versioned<Incident> | undefined> {
    return this.read<Incident>(key);
  }

  save(incident: Incident, etag: string | null): Promise<SaveResult> {
    return this.write(incident, etag);
  }

  async list(query: { statuses?: IncidentStatus[]; limit?: number } = {}): Promise<Incident[]> {
    const { resources } = await this.container.items
      .query<Record<string, unknown>>({
        query: 'SELECT * FROM c WHERE c.docType = @docType',
        parameters: [{ name: '@docType', value: 'incident' }],
      })
      .fetchAll();
    return resources
      .map((resource) => strip<Incident>(resource))
      .filter((incident) => !query.statuses || query.statuses.includes(incident.status))
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
      .slice(0, query.limit ?? 500);
  }

  getLedger(team: string): Promise<Versioned<TeamLedger> | undefined> {
    return this.read<TeamLedger>(ledgerKeyOf(team));
  }

  saveLedger(ledger: TeamLedger, etag: string | null): Promise<SaveResult> {
    return this.write(ledger, etag);
  }

  async listLedgers(): Promise<TeamLedger[]> {
    const { resources } = await this.container.items
      .query<Record<string, unknown>>({
        query: 'SELECT * FROM c WHERE c.docType = @docType',
        parameters: [{ name: '@docType', value: 'team-ledger' }],
      })
      .fetchAll();
    return resources.map((resource) => strip<TeamLedger>(resource));
  }
}

export class MemoryIncidentStore implements IncidentStore {
  readonly docs = new Map<string, { value: Incident | TeamLedger; etag: string }>();
  private version = 0;

  private read<T>(key: string): Promise<Versioned<T> | undefined> {
    const stored = this.docs.get(key);
    return Promise.resolve(
      stored ? { value: structuredClone(stored.value) as T, etag: stored.etag } : undefined,
    );
  }

  private write(doc: Incident | TeamLedger, etag: string | null): Promise<SaveResult> {
    const stored = this.docs.get(doc.key);
    if ((etag === null && stored) || (etag !== null && stored?.etag !== etag)) {
      return Promise.resolve({ status: 'conflict' });
    }
    this.version += 1;
    const next = `"${this.version}"`;
    this.docs.set(doc.key, { value: structuredClone(doc), etag: next });
    return Promise.resolve({ status: 'saved', etag: next });
  }

  get(key: string): Promise<Versioned<Incident> | undefined> {
    return this.read<Incident>(key);
  }
  save(incident: Incident, etag: string | null): Promise<SaveResult> {
    return this.write(incident, etag);
  }
  list(query: { statuses?: IncidentStatus[]; limit?: number } = {}): Promise<Incident[]> {
    const incidents = [...this.docs.values()]
      .map((stored) => stored.value)
      .filter((doc): doc is Incident => doc.docType === 'incident')
      .filter((incident) => !query.statuses || query.statuses.includes(incident.status))
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
      .slice(0, query.limit ?? 500);
    return Promise.resolve(structuredClone(incidents));
  }
  getLedger(team: string): Promise<Versioned<TeamLedger> | undefined> {
    return this.read<TeamLedger>(ledgerKeyOf(team));
  }
  saveLedger(ledger: TeamLedger, etag: string | null): Promise<SaveResult> {
    return this.write(ledger, etag);
  }
  listLedgers(): Promise<TeamLedger[]> {
    const ledgers = [...this.docs.values()]
      .map((stored) => stored.value)
      .filter((doc): doc is TeamLedger => doc.docType === 'team-ledger');
    return Promise.resolve(structuredClone(ledgers));
  }
}
