/**
 * False-alarm rate of the score stage on steady noise: for many seeds, 30 days of Poisson
 * arrivals for products of low, medium and high volume (with a diurnal and weekly pattern), run
 * through the real handler with in-memory ports; prints how many alerts fired and the rate per
 * product × category × day.
 *
 * Usage: node --import tsx scripts/false-alarm-rate.ts [seeds=40] [sensitivity=0.5]
 */
import { firedAlerts, makeHarness } from '../test/fixtures/score/harness.js';
import { generateSeries } from '../test/fixtures/score/synthetic.js';

const DAYS = 30;
const rates = {
  'FA-LOW': { defect: 2, delivery: 3, praise: 4 },
  'FA-MID': { defect: 12, delivery: 8, sizing_fit: 5, praise: 20 },
  'FA-HIGH': { defect: 60, delivery: 90, quality: 40, praise: 150 },
};
const hourProfile = [2, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 8, 8, 8, 8, 7, 7, 7, 8, 9, 9, 7, 5, 3];
const weekdayProfile = [1.5, 1.1, 1, 1, 1, 0.9, 1.3];

export async function falseAlarmRate(seeds: number, sensitivity: number) {
  let items = 0;
  let alerts = 0;
  let seriesWithAlert = 0;
  const streams = Object.values(rates).reduce((sum, categories) => sum + Object.keys(categories).length, 0);
  const examples: string[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const events = generateSeries({
      seed,
      start: '2026-03-01T00:00:00Z',
      days: DAYS,
      rates,
      hourProfile,
      weekdayProfile,
      spamRate: 0.02,
      duplicateRate: 0.01,
    });
    const harness = makeHarness({ settings: { sensitivity } });
    const fired = firedAlerts(await harness.run(events, 100));
    items += events.length;
    alerts += fired.length;
    if (fired.length > 0) seriesWithAlert += 1;
    for (const alert of fired.slice(0, 2))
      examples.push(`seed ${seed} ${alert.productKey}: ${alert.score.reasons.join('; ')}`);
  }
  const streamDays = seeds * streams * DAYS;
  return {
    seeds,
    items,
    alerts,
    seriesWithAlert,
    streamDays,
    perThousandStreamDays: (1000 * alerts) / streamDays,
    examples,
  };
}

const isMain =
  process.argv[1]?.endsWith('false-alarm-rate.ts') || process.argv[1]?.endsWith('false-alarm-rate.js');
if (isMain) {
  const seeds = Number(process.argv[2] ?? 40);
  const sensitivity = Number(process.argv[3] ?? 0.5);
  const result = await falseAlarmRate(seeds, sensitivity);
  console.log(
    `sensitivity ${sensitivity}: ${result.alerts} alerts over ${result.seeds} seeds × 30 days ` +
      `(${result.items} items, ${result.streamDays} product×category-days): ` +
      `${result.perThousandStreamDays.toFixed(3)} alerts per 1000 product×category-days; ` +
      `${result.seriesWithAlert}/${result.seeds} series with any alert`,
  );
  for (const example of result.examples.slice(0, 10)) console.log(`  ${example}`);
}
