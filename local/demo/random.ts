/** A small seeded PRNG (mulberry32) so the demo feed is the same for the same seed, on any machine. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  int(minInclusive: number, maxInclusive: number): number;
  chance(probability: number): boolean;
  pick<T>(values: readonly T[]): T;
  weighted<T extends string>(weights: Readonly<Partial<Record<T, number>>>): T;
  shuffle<T>(values: T[]): T[];
}

export function makeRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const random: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (probability) => next() < probability,
    pick: <T>(values: readonly T[]): T => {
      if (values.length === 0) throw new Error('pick from an empty list');
      return values[Math.floor(next() * values.length)] as T;
    },
    weighted: <T extends string>(weights: Readonly<Partial<Record<T, number>>>): T => {
      const entries = Object.entries(weights) as [T, number][];
      const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
      let roll = next() * total;
      for (const [value, weight] of entries) {
        roll -= weight;
        if (roll < 0) return value;
      }
      const last = entries[entries.length - 1];
      if (!last) throw new Error('weighted pick from no weights');
      return last[0];
    },
    shuffle: <T>(values: T[]): T[] => {
      for (let i = values.length - 1; i > 0; i -= 1) {
        const j = Math.floor(next() * (i + 1));
        [values[i], values[j]] = [values[j] as T, values[i] as T];
      }
      return values;
    },
  };
  return random;
}
