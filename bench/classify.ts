/**
 * Throughput of the classify stage's local path (rules + compact model) on one thread, and of
 * the whole stage handler with in-memory ports. Standalone: `node --import tsx bench/classify.ts`
 * (or `node dist/bench/classify.js`).
 *
 * Texts are generated here from written sentences (no reference data needed) in en/es/fr/de,
 * already redacted as the normalize stage hands them on, with a spread of lengths like real
 * reviews: very short ones ("Broken."), one sentence, a few sentences and long multi-issue
 * reviews (see `lengthMix`). The headline figure is over that mix (median of ten rounds);
 * per-length figures follow.
 */
import { pathToFileURL } from 'node:url';
import functions from '@azure/functions';
import { buildClassifier } from '../shared/domain/classify/classifier.js';
import { loadLocalClassifierFiles } from '../shared/domain/classify/load.js';
import type { ClassifyInput } from '../shared/domain/classify/labels.js';
import { makeClassify } from '../shared/stages/classify.js';
import { MemoryReviewQueue } from '../shared/domain/review.js';
import { MemoryFeedbackStore, MemoryPublisher, MemoryQuarantine } from '../shared/adapters/memory.js';
import type { NormalizedEvent } from '../shared/domain/events.js';
import { measureThroughput as measure } from './measure.js';

const shortTexts: Record<string, string[]> = {
  en: ['Broken.', 'Love it! 😍', 'meh', 'Never arrived', 'Too small', 'Works great 👍', 'waste of money'],
  es: ['Roto.', 'Me encanta ❤️', 'Nunca llegó', 'Muy pequeño', 'Perfecto', 'no funciona'],
  fr: ['Cassé.', "J'adore !", 'Jamais reçu', 'Trop petit', 'Parfait 👌', 'ne marche pas'],
  de: ['Kaputt.', 'Super!', 'Nie angekommen', 'Zu klein', 'Top 👍', 'funktioniert nicht'],
};

const sentences: Record<string, string[]> = {
  en: [
    'The kettle stopped working after two weeks and support never replied.',
    'Love these boots, super comfy and arrived early! Would buy again.',
    'Runs small, ordered my usual size and it is way too tight around the chest.',
    'The charger got really hot and started to smell like burning plastic.',
    'Package showed delivered but nothing was at my door, tracking says [TRACKING].',
    'Honestly the best headphones I have owned, the battery lasts for days.',
    'Is there a replacement strap available for this watch?',
    'Great, another zipper that broke on the first day 🙄 just great.',
    'I want a refund, the color is nothing like the photos on the website.',
    'Customer service kept me on hold for an hour and then hung up on me.',
    'Quality is fine for the price but the instructions were missing.',
  ],
  es: [
    'La cremallera se rompió a la semana, muy mala calidad para el precio que tiene.',
    'Me encanta, funciona perfecto y llegó antes de tiempo.',
    'El pedido llegó con la caja aplastada y faltaba una pieza.',
    'La batería se calentó muchísimo y salió humo del cargador.',
    'La talla es mucho más pequeña de lo normal, tuve que devolverla.',
    'Nadie del servicio de atención al cliente me ha contestado todavía.',
    '¿Se puede comprar la funda por separado?',
    'Buena relación calidad-precio, la recomiendo sin dudarlo 👍',
    'Quiero que me devuelvan el dinero cuanto antes.',
  ],
  fr: [
    "Le colis est arrivé écrasé et l'écran est fêlé, très déçu.",
    'Toujours pas remboursé après trois semaines, le service client ne répond pas.',
    'Produit conforme à la description, je suis ravie de mon achat.',
    "La prise a pris feu au bout d'une heure d'utilisation !",
    'Taille beaucoup trop grande, les manches dépassent de dix centimètres.',
    'Est-ce que la garantie couvre aussi la batterie ?',
    'Le tissu bouloche déjà après deux lavages, qualité médiocre.',
    'Livraison rapide et emballage soigné, merci 😊',
    "Ce n'est pas du tout la couleur commandée.",
  ],
  de: [
    'Der Akku hat sich aufgebläht und wurde sehr heiß, fast verbrannt.',
    'Passt perfekt, tolle Qualität, schnelle Lieferung. Danke!',
    'Falsche Farbe geliefert und die Anleitung fehlt.',
    'Nach drei Wochen ist der Reißverschluss kaputt gegangen, sehr ärgerlich.',
    'Der Kundenservice hat auf keine meiner E-Mails geantwortet.',
    'Gibt es dieses Modell auch in Größe 44?',
    'Das Paket kam zwei Wochen zu spät und war beschädigt.',
    'Für den Preis wirklich gut verarbeitet, klare Kaufempfehlung.',
    'Ich möchte das Produkt zurückgeben und mein Geld zurück.',
  ],
};

const languages = Object.keys(sentences);

/** Share of items per length: sentences per text (0 = a very short text). */
const lengthMix: { name: string; share: number; sentences: [number, number] }[] = [
  { name: 'short', share: 0.15, sentences: [0, 0] },
  { name: 'oneSentence', share: 0.4, sentences: [1, 1] },
  { name: 'fewSentences', share: 0.3, sentences: [2, 3] },
  { name: 'long', share: 0.15, sentences: [5, 8] },
];

function textOf(language: string, sentenceCount: number, index: number): string {
  if (sentenceCount === 0) {
    const pool = shortTexts[language] as string[];
    return pool[index % pool.length] as string;
  }
  const pool = sentences[language] as string[];
  const parts: string[] = [];
  // Consecutive sentences from a start that moves with the item: no sentence twice in a text.
  for (let part = 0; part < sentenceCount; part++)
    parts.push(pool[(index * 7 + part) % pool.length] as string);
  return parts.join(' ');
}

/** Deterministic items following `lengthMix`; `bucket` restricts them to one length class. */
export function benchInputs(count: number, bucket?: string): ClassifyInput[] {
  const mix = bucket ? lengthMix.filter((entry) => entry.name === bucket) : lengthMix;
  const total = mix.reduce((sum, entry) => sum + entry.share, 0);
  return Array.from({ length: count }, (_, index) => {
    // Spread the buckets evenly over the items (a low-discrepancy walk, no randomness).
    const position = ((index * 0.618034) % 1) * total;
    let entry = mix[0] as (typeof lengthMix)[number];
    let upTo = 0;
    for (const candidate of mix) {
      upTo += candidate.share;
      entry = candidate;
      if (position < upTo) break;
    }
    const [low, high] = entry.sentences;
    const language = languages[index % languages.length] as string;
    const sentenceCount = low + (Math.floor(index / languages.length) % (high - low + 1));
    // A varying tail so nothing is trivially repeated (there is no cache, but be honest).
    const text = `${textOf(language, sentenceCount, Math.floor(index / languages.length))} #${index % 97}`;
    return {
      text: sentenceCount === 0 ? text.replace(/ #\d+$/, '') : text,
      ...(index % 4 === 0 ? { title: sentenceCount === 0 ? 'Review' : 'My order' } : {}),
      language,
      rating: (index % 5) + 1,
      isSpam: false,
      components: [],
    };
  });
}

function event(index: number, input: ClassifyInput): NormalizedEvent {
  const id = index.toString(16).padStart(32, '0');
  return {
    schemaVersion: 1,
    feedbackId: id,
    revision: 'r1',
    source: 'generic',
    sourceId: `bench-${index}`,
    tenant: 'bench',
    channel: 'review',
    eventTime: '2026-11-27T10:00:00.000Z',
    productKey: `SKU-${index % 50}`,
    lineage: { rawBlob: `raw/generic/bench/${index}.json`, receivedAt: '2026-11-27T10:00:00.000Z' },
    normalized: {
      text: input.text,
      ...(input.title ? { title: input.title } : {}),
      rating: input.rating,
      product: {},
      customer: {},
      language: { code: input.language, confidence: 0.9, mixed: false },
      piiTypes: [],
      spam: { isSpam: false, reasons: [] },
      duplicate: {},
      textHash: id,
      entities: { products: [], components: [], milestones: [], carriers: [], orderTokens: [] },
    },
  };
}

function textLengths(items: ClassifyInput[]): { mean: number; median: number; p90: number; max: number } {
  const lengths = items
    .map((item) => (item.title ? `${item.title}. ${item.text}` : item.text).length)
    .sort((a, b) => a - b);
  const at = (share: number) =>
    lengths[Math.min(lengths.length - 1, Math.floor(lengths.length * share))] ?? 0;
  return {
    mean: Math.round(lengths.reduce((sum, length) => sum + length, 0) / Math.max(1, lengths.length)),
    median: at(0.5),
    p90: at(0.9),
    max: lengths[lengths.length - 1] ?? 0,
  };
}

export async function benchClassify(options: { items?: number } = {}): Promise<Record<string, number>> {
  const count = options.items ?? 60_000;
  const files = loadLocalClassifierFiles();
  const classifier = buildClassifier(files);
  const items = benchInputs(4000);
  const lengths = textLengths(items);
  const local = measure(count, (index) => {
    classifier.classifyLocal(items[index % items.length] as ClassifyInput);
  });
  const model = measure(count, (index) => {
    const item = items[index % items.length] as ClassifyInput;
    const features = files.model.features(item.title ? `${item.title}. ${item.text}` : item.text);
    files.model.predictSentiment(features);
    files.model.predictCategory(features);
  });
  const byLength: Record<string, number> = {};
  for (const { name } of lengthMix) {
    const bucket = benchInputs(2000, name);
    byLength[`classify.local.${name}.chars`] = textLengths(bucket).mean;
    byLength[`classify.local.${name}.itemsPerCpuSecond`] = measure(Math.floor(count / 3), (index) => {
      classifier.classifyLocal(bucket[index % bucket.length] as ClassifyInput);
    }).cpu;
  }

  const batchSize = 100;
  const batches = Math.max(1, Math.floor(Math.min(count, 10_000) / batchSize));
  const events = items.map((input, index) => event(index, input));
  const feedbackStore = new MemoryFeedbackStore();
  for (const item of events)
    await feedbackStore.putNormalized(item.feedbackId, item.revision, {}, item.normalized);
  const handler = makeClassify({
    publisher: new MemoryPublisher(),
    feedbackStore,
    quarantine: new MemoryQuarantine(),
    reviewQueue: new MemoryReviewQueue(),
    classifier,
    confidenceThreshold: 0.55,
    clock: () => new Date('2026-11-27T10:00:00.000Z'),
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  const context = new functions.InvocationContext({ invocationId: 'bench', functionName: 'classify' });
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let batch = 0; batch < batches; batch++) {
    const start = (batch * batchSize) % events.length;
    await handler(events.slice(start, start + batchSize), context);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const handled = batches * batchSize;
  return {
    'classify.textChars.mean': lengths.mean,
    'classify.textChars.median': lengths.median,
    'classify.textChars.p90': lengths.p90,
    'classify.textChars.max': lengths.max,
    'classify.local.itemsPerSecond': local.wall,
    'classify.local.itemsPerCpuSecond': local.cpu,
    'classify.local.bestRoundItemsPerCpuSecond': local.bestCpu,
    ...byLength,
    'classify.model.itemsPerSecond': model.wall,
    'classify.model.itemsPerCpuSecond': model.cpu,
    'classify.stage.itemsPerSecond': Math.round(handled / seconds),
    'classify.stage.itemsPerCpuSecond': Math.round(handled / ((cpu.user + cpu.system) / 1e6)),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void benchClassify().then((results) => {
    for (const [name, value] of Object.entries(results)) console.log(`${name.padEnd(44)} ${value}`);
  });
}
