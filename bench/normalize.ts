/**
 * Normalize throughput in-process, no I/O: 500-character feedback texts in seven languages, most
 * with personal data, through the text pipeline (prepareFeedbackText) and through the whole
 * envelope → event path (parse, map, prepare, build); and the same texts as HTML comments through
 * the text pipeline. One core; each figure the median of ten rounds after a warm-up (measure.ts).
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
import { measureThroughput } from './measure.js';

const TEXT_LENGTH = 500;

/**
 * Sentence pools per language, long enough (over 600 characters each) that a 500-character text
 * never repeats a sentence: repeated sentences would let word-level work (shingle sketches, vocabulary
 * lookups) see fewer distinct words than real feedback has. Personal data in most texts (phones,
 * e-mail addresses, order and tracking numbers, names, addresses, an IBAN) next to look-alikes
 * that must survive (prices, dates, sizes, quantities).
 */
const sentences: Record<string, string[]> = {
  en: [
    'The zipper on my jacket broke after two days of normal use.',
    'Customer service took a week to answer and then asked for photos again.',
    'I paid €189.00 on 2026-11-02 and expected much better quality for that price.',
    'The sole started peeling off after three hikes in light rain.',
    'Call me on +44 20 7946 0958 if you need more details about order #4512.',
    'The size M fits like an S, the sleeves end well above my wrists.',
    'You can also reach me at sam.porter@example.co.uk during office hours.',
    'The parcel went missing twice, tracking number 1Z999AA10123456784 still shows it in Leeds.',
    'Two of the 4 snap buttons fell off before I even wore it outside.',
    'My name is Daniel Hughes and I have bought from this shop for years.',
  ],
  es: [
    'La cremallera de la chaqueta se rompió a los dos días de usarla.',
    'El servicio de atención al cliente tardó una semana en responder.',
    'Pagué 189,00 € el 02/11/2026 y esperaba mucha más calidad por ese precio.',
    'Me llamo Lucía Fernández y mi pedido 45821 llegó con la caja aplastada.',
    'La talla 42 me queda pequeña aunque siempre uso la misma en otras marcas.',
    'Podéis llamarme al 612 345 678 por las tardes.',
    'Las costuras del bolsillo izquierdo se abrieron con el primer lavado.',
    'Enviadme la sustitución a Calle Mayor 12, 28013 Madrid, por favor.',
    'El color no se parece nada al de las fotos de la web.',
  ],
  fr: [
    'La fermeture éclair de la veste a cassé au bout de deux jours.',
    'Le service client a mis une semaine à répondre et redemande des photos.',
    "J'ai payé 189,00 € le 02.11.2026 et j'attendais bien mieux à ce prix.",
    'Vous pouvez me joindre au 06 12 34 56 78, commande n° 784512.',
    'La doublure se déchire déjà au niveau des coutures des épaules.',
    "Je m'appelle Claire Dubois et je suis cliente depuis trois ans.",
    'Le colis est arrivé avec dix jours de retard et la boîte était ouverte.',
    'Merci de répondre à claire.dubois@example.fr plutôt que par téléphone.',
    'La taille 38 correspond plutôt à un 36, il faudrait corriger le guide.',
  ],
  de: [
    'Der Reißverschluss der Jacke ist nach zwei Tagen kaputt gegangen.',
    'Der Kundenservice hat eine Woche gebraucht, um zu antworten.',
    'Ich habe 189,00 € am 02.11.2026 bezahlt und viel mehr Qualität erwartet.',
    'Bitte Ersatz an Hauptstraße 5, 10115 Berlin schicken, Bestellnummer 100-2345.',
    'Die Nähte an der Kapuze haben sich schon beim ersten Waschen gelöst.',
    'Die Erstattung bitte auf DE89 3704 0044 0532 0130 00 überweisen.',
    'Das Paket kam mit drei Tagen Verspätung und völlig durchnässt an.',
    'Größe 50 fällt deutlich kleiner aus als in der Tabelle angegeben.',
    'Mein Name ist Jonas Becker, ich warte seit zwei Wochen auf eine Antwort.',
  ],
  it: [
    'La cerniera della giacca si è rotta dopo due giorni di uso normale.',
    'Il servizio clienti ha impiegato una settimana a rispondere.',
    'Ho pagato 189,00 € il 02/11/2026 e mi aspettavo una qualità migliore.',
    'Mi chiamo Giulia Russo e il mio ordine 558213 è arrivato incompleto.',
    'Le cuciture delle tasche si sono aperte dopo il primo lavaggio.',
    'Potete chiamarmi al 347 123 4567 nel pomeriggio.',
    'La taglia 46 veste molto più piccola rispetto alla tabella del sito.',
    'Il pacco è arrivato con una settimana di ritardo e la scatola era rotta.',
    'Il colore è molto più scuro di quello mostrato nelle fotografie.',
    'Spero in una sostituzione veloce perché la giacca mi serve per un viaggio.',
  ],
  pt: [
    'O fecho do casaco partiu ao fim de dois dias de uso normal.',
    'O apoio ao cliente demorou uma semana a responder e pediu fotografias.',
    'Paguei 189,00 € a 02/11/2026 e esperava muito mais qualidade por esse preço.',
    'A minha encomenda n.º 662019 chegou com a caixa amassada e húmida.',
    'As costuras dos bolsos abriram logo na primeira lavagem.',
    'Chamo-me Rita Almeida e posso ser contactada pelo 912 345 678.',
    'O tamanho 40 é muito mais pequeno do que indica a tabela do site.',
    'A cor é bastante mais escura do que nas fotografias da loja.',
    'Gostaria de uma troca rápida porque preciso do casaco para uma viagem.',
    'A entrega atrasou dez dias e ninguém respondeu aos meus emails.',
  ],
  nl: [
    'De rits van de jas is na twee dagen normaal gebruik kapotgegaan.',
    'De klantenservice deed er een week over om te antwoorden.',
    'Ik heb € 189,00 betaald op 02-11-2026 en verwachtte veel betere kwaliteit.',
    'Mijn naam is Sanne de Vries en mijn bestelling 730144 was niet compleet.',
    'De naden van de capuchon lieten al na de eerste wasbeurt los.',
    'Stuur de vervanging graag naar Kerkstraat 12, 1012 AB Amsterdam.',
    'Maat 52 valt veel kleiner uit dan de maattabel op de website aangeeft.',
    'Het pakket kwam drie dagen te laat en de doos was helemaal nat.',
    'U kunt mij mailen op sanne.devries@example.nl voor meer informatie.',
  ],
};

/**
 * Deterministic 500-character texts: consecutive sentences of one language's pool, starting at a
 * different sentence per text (no sentence twice in a text).
 */
export function benchTexts(count: number): string[] {
  const languages = Object.keys(sentences);
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const pool = sentences[languages[i % languages.length]!]!;
    const first = Math.floor(i / languages.length);
    let text = '';
    for (let j = first; text.length < TEXT_LENGTH; j++) text += (text ? ' ' : '') + pool[j % pool.length]!;
    texts.push(text.slice(0, TEXT_LENGTH));
  }
  return texts;
}

/**
 * The same texts as Zendesk-style HTML comments (paragraphs, a line break, an entity): HTML to
 * text costs far more than the rest of the pipeline, so it is measured on its own.
 */
export function benchHtmlTexts(count: number): string[] {
  return benchTexts(count).map((text) => {
    const cut = text.indexOf('. ', 200) + 1 || 250;
    return `<p>${text.slice(0, cut)}</p><p>${text.slice(cut).trim().replace(/&/g, '&amp;')}<br>Thanks &amp; regards</p>`;
  });
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

export function benchNormalize(
  options: { items?: number; taxonomy?: Taxonomy } = {},
): Promise<Record<string, number>> {
  const items = options.items ?? 20_000;
  const taxonomy = options.taxonomy ?? loadTaxonomy();
  const texts = benchTexts(200);
  const envelopes = texts.map((text, index) => envelopeFor(index, text));
  const settings = { tokenKey: 'bench-key-not-a-secret', taxonomy, catalog: benchCatalog };
  const normalizedAt = new Date('2026-11-27T10:00:00Z');
  const prepare = measureThroughput(items, (i) => {
    prepareFeedbackText({ text: texts[i % texts.length]! }, settings);
  });
  const envelope = measureThroughput(items, (i) => {
    normalizeEnvelope(envelopes[i % envelopes.length]!, 'raw/generic/bench.json', normalizedAt, settings);
  });
  const htmlTexts = benchHtmlTexts(200);
  const html = measureThroughput(Math.ceil(items / 5), (i) => {
    prepareFeedbackText({ text: htmlTexts[i % htmlTexts.length]!, format: 'html' }, settings);
  });
  return Promise.resolve({
    'normalize.prepareText.itemsPerSecond': prepare.wall,
    'normalize.prepareText.itemsPerCpuSecond': prepare.cpu,
    'normalize.envelopeToEvent.itemsPerSecond': envelope.wall,
    'normalize.envelopeToEvent.itemsPerCpuSecond': envelope.cpu,
    'normalize.envelopeToEvent.bestRoundItemsPerCpuSecond': envelope.bestCpu,
    'normalize.prepareHtmlText.itemsPerCpuSecond': html.cpu,
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
