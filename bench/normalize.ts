/**
 * Normalize throughput in-process, no I/O: 500-character feedback texts in seven languages, some
 * with personal data, through the text pipeline (prepareFeedbackText) and through the whole
 * envelope → event path (parse, map, prepare, build). One core, after a warm-up.
 *
 * Standalone: node --import tsx bench/normalize.ts   (or node dist/bench/normalize.js)
 * Against Cosmos: benchNormalizeCosmosOps(container) with a container of the `dedupe` shape (/key):
 * point operations per item of duplicate detection.
 */
import type { Container } from '@azure/cosmos';
import { pathToFileURL } from 'node:url';
import { CosmosDedupeStore } from '../shared/adapters/cosmos-dedupe-store.js';
import type { Catalog } from '../shared/domain/catalog.js';
import { normalizeEnvelope, prepareFeedbackText } from '../shared/domain/normalize/index.js';
import { feedbackIdOf, SCHEMA_VERSION, type RawEnvelope } from '../shared/domain/record.js';
import type { Taxonomy } from '../shared/domain/taxonomy.js';
import { loadTaxonomy } from '../shared/domain/taxonomy.js';

const TEXT_LENGTH = 500;

const sentences: Record<string, string[]> = {
  en: [
    'The zipper on my jacket broke after two days of normal use.',
    'Customer service took a week to answer and then asked for photos again.',
    'I paid €189.00 on 2026-11-02 and expected much better quality for that price.',
    'The sole started peeling off after three hikes in light rain.',
    'Call me on +44 20 7946 0958 if you need more details about order #4512.',
  ],
  es: [
    'La cremallera de la chaqueta se rompió a los dos días de usarla.',
    'El servicio de atención al cliente tardó una semana en responder.',
    'Pagué 189,00 € el 02/11/2026 y esperaba mucha más calidad por ese precio.',
    'Me llamo Lucía Fernández y mi pedido 45821 llegó con la caja aplastada.',
  ],
  fr: [
    'La fermeture éclair de la veste a cassé au bout de deux jours.',
    'Le service client a mis une semaine à répondre et redemande des photos.',
    "J'ai payé 189,00 € le 02.11.2026 et j'attendais bien mieux à ce prix.",
    'Vous pouvez me joindre au 06 12 34 56 78, commande n° 784512.',
  ],
  de: [
    'Der Reißverschluss der Jacke ist nach zwei Tagen kaputt gegangen.',
    'Der Kundenservice hat eine Woche gebraucht, um zu antworten.',
    'Ich habe 189,00 € am 02.11.2026 bezahlt und viel mehr Qualität erwartet.',
    'Bitte Ersatz an Hauptstraße 5, 10115 Berlin schicken, Bestellnummer 100-2345.',
  ],
  it: [
    'La cerniera della giacca si è rotta dopo due giorni di uso normale.',
    'Il servizio clienti ha impiegato una settimana a rispondere.',
    'Ho pagato 189,00 € il 02/11/2026 e mi aspettavo una qualità migliore.',
  ],
  pt: [
    'O fecho do casaco partiu ao fim de dois dias de uso normal.',
    'O apoio ao cliente demorou uma semana a responder e pediu fotografias.',
    'Paguei 189,00 € a 02/11/2026 e esperava muito mais qualidade por esse preço.',
  ],
  nl: [
    'De rits van de jas is na twee dagen normaal gebruik kapotgegaan.',
    'De klantenservice deed er een week over om te antwoorden.',
    'Ik heb € 189,00 betaald op 02-11-2026 en verwachtte veel betere kwaliteit.',
  ],
};

/** Deterministic 500-character texts: sentences of one language, rotated per text. */
export function benchTexts(count: number): string[] {
  const languages = Object.keys(sentences);
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const pool = sentences[languages[i % languages.length]!]!;
    let text = '';
    for (let j = i; text.length < TEXT_LENGTH; j++) text += (text ? ' ' : '') + pool[j % pool.length]!;
    texts.push(text.slice(0, TEXT_LENGTH));
  }
  return texts;
}

const benchCatalog: Catalog = {
  version: 'bench',
  currency: 'EUR',
  products: [
    {
      sku: 'JKT-ALP-01',
      productId: '9001',
      name: 'Alpine Shell Jacket',
      aliases: ['alpine jacket'],
      category: 'outerwear',
    },
  ],
};

function envelopeFor(index: number, text: string): RawEnvelope {
  const sourceId = `bench-${index}`;
  const item = {
    id: sourceId,
    text,
    createdAt: '2026-11-27T09:00:00Z',
    sku: 'JKT-ALP-01',
    customerId: `c-${index % 97}`,
  };
  return {
    schemaVersion: SCHEMA_VERSION,
    feedbackId: feedbackIdOf('generic', 'bench', sourceId),
    source: 'generic',
    sourceId,
    revision: '20261127T090000000Z',
    receivedAt: '2026-11-27T09:00:01.000Z',
    tenant: 'bench',
    topic: 'generic',
    deliveryId: 'bench',
    itemPointer: '',
    contentType: 'application/json',
    body: Buffer.from(JSON.stringify(item)).toString('base64'),
  };
}

/**
 * Items per second of wall time and of this thread's CPU time. On a shared machine the wall
 * figure drops with the load; CPU time is the 'one core' figure the target is stated in.
 */
function itemsPerSecond(count: number, run: (index: number) => void): { wall: number; cpu: number } {
  const warmup = Math.min(500, count);
  for (let i = 0; i < warmup; i++) run(i);
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) run(i);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { wall: Math.round(count / seconds), cpu: Math.round(count / cpuSeconds) };
}

export function benchNormalize(
  options: { items?: number; taxonomy?: Taxonomy } = {},
): Promise<Record<string, number>> {
  const items = options.items ?? 5000;
  const taxonomy = options.taxonomy ?? loadTaxonomy();
  const texts = benchTexts(200);
  const envelopes = texts.map((text, index) => envelopeFor(index, text));
  const settings = { tokenKey: 'bench-key-not-a-secret', taxonomy, catalog: benchCatalog };
  const normalizedAt = new Date('2026-11-27T10:00:00Z');
  const prepare = itemsPerSecond(items, (i) => {
    prepareFeedbackText({ text: texts[i % texts.length]! }, settings);
  });
  const envelope = itemsPerSecond(items, (i) => {
    normalizeEnvelope(envelopes[i % envelopes.length]!, 'raw/generic/bench.json', normalizedAt, settings);
  });
  return Promise.resolve({
    'normalize.prepareText.itemsPerSecond': prepare.wall,
    'normalize.prepareText.itemsPerCpuSecond': prepare.cpu,
    'normalize.envelopeToEvent.itemsPerSecond': envelope.wall,
    'normalize.envelopeToEvent.itemsPerCpuSecond': envelope.cpu,
    'normalize.textLength': TEXT_LENGTH,
  });
}

/** Counts the point operations the dedupe store makes (read, create, replace) and the conflicts. */
function countingContainer(container: Container): {
  container: Container;
  counts: { reads: number; writes: number; conflicts: number };
} {
  const counts = { reads: 0, writes: 0, conflicts: 0 };
  const counted = async <T>(kind: 'reads' | 'writes', call: () => Promise<T>): Promise<T> => {
    counts[kind] += 1;
    try {
      return await call();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 409 || code === 412) counts.conflicts += 1;
      throw error;
    }
  };
  const wrapped = {
    item: (id: string, partitionKey: string) => {
      const item = container.item(id, partitionKey);
      return {
        read: (...args: Parameters<typeof item.read>) => counted('reads', () => item.read(...args)),
        replace: (...args: Parameters<typeof item.replace>) => counted('writes', () => item.replace(...args)),
      };
    },
    items: {
      create: (...args: Parameters<typeof container.items.create>) =>
        counted('writes', () => container.items.create(...args)),
    },
  };
  return { container: wrapped as unknown as Container, counts };
}

/**
 * Duplicate detection against a real container (the local emulator): 480 items over 6 products,
 * 8 at a time (concurrent workers), a tenth of them copies of an earlier text, then every item
 * once more (replays, as after a redelivery).
 */
export async function benchNormalizeCosmosOps(container: Container): Promise<Record<string, number>> {
  const { container: counting, counts } = countingContainer(container);
  const store = new CosmosDedupeStore(counting);
  const settings = { tokenKey: 'bench-key-not-a-secret', taxonomy: loadTaxonomy(), catalog: benchCatalog };
  const texts = benchTexts(480);
  const items = texts.map((text, index) => {
    const copyOf = index % 10 === 9 ? index - 7 : index;
    const prepared = prepareFeedbackText({ text: texts[copyOf]! }, settings);
    return {
      feedbackId: `bench-${index}`,
      revision: '20261127T090000000Z',
      eventTime: new Date(Date.parse('2026-11-20T00:00:00Z') + index * 60_000).toISOString(),
      scope: `bench\u0000sku\u0000P-${index % 6}`,
      textHash: prepared.textHash,
      signature: prepared.signature,
      ...(index % 4 === 0 ? { customerToken: `c-${index % 40}` } : {}),
    };
  });
  const options = { threshold: 0.5, windowDays: 14 };
  const run = async (): Promise<number> => {
    let linked = 0;
    for (let start = 0; start < items.length; start += 8) {
      const verdicts = await Promise.all(
        items.slice(start, start + 8).map((item) => store.checkAndRecord(item, options)),
      );
      linked += verdicts.filter((verdict) => verdict.nearDuplicateOf).length;
    }
    return linked;
  };
  const started = performance.now();
  const linked = await run();
  const seconds = (performance.now() - started) / 1000;
  const firstPass = { ...counts };
  await run();
  const perItem = (value: number): number => Number((value / items.length).toFixed(3));
  return {
    'normalize.cosmos.items': items.length,
    'normalize.cosmos.itemsPerSecond': Math.round(items.length / seconds),
    'normalize.cosmos.linkedAsDuplicates': linked,
    'normalize.cosmos.opsPerNewItem': perItem(firstPass.reads + firstPass.writes),
    'normalize.cosmos.readsPerNewItem': perItem(firstPass.reads),
    'normalize.cosmos.writesPerNewItem': perItem(firstPass.writes),
    'normalize.cosmos.conflicts': firstPass.conflicts,
    'normalize.cosmos.opsPerReplay': perItem(
      counts.reads + counts.writes - firstPass.reads - firstPass.writes,
    ),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void benchNormalize().then((results) => {
    for (const [name, value] of Object.entries(results)) console.log(`${name.padEnd(45)} ${value}`);
  });
}
