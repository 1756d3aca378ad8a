/**
 * Tail probabilities for the anomaly tests. Upper tails are summed from the observed value
 * upwards (not as 1 − CDF), so very small p-values keep their precision.
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < 9; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const clamp01 = (p: number): number => Math.min(1, Math.max(0, p));

/**
 * Sums a unimodal pmf upward from `from` (term ratio given), or returns 1 − Σ below `from`
 * when `from` is at or under the mode, where the complement is large and stable.
 */
function upperTail(
  from: number,
  logPmf: (k: number) => number,
  ratio: (k: number) => number,
  mean: number,
  max = Infinity,
): number {
  if (from <= 0) return 1;
  if (from > max) return 0;
  if (from <= mean) {
    let below = 0;
    let term = Math.exp(logPmf(0));
    for (let k = 0; k < from; k++) {
      below += term;
      term *= ratio(k);
    }
    return clamp01(1 - below);
  }
  let term = Math.exp(logPmf(from));
  let sum = 0;
  for (let k = from; k <= max && term > 0; k++) {
    sum += term;
    if (term < sum * 1e-15 && k > from + 10) break;
    term *= ratio(k);
    if (k - from > 100000) break;
  }
  return clamp01(sum);
}

/** P(X ≥ observed) for X ~ Poisson(mean). */
export function poissonUpperTail(observed: number, mean: number): number {
  if (observed <= 0) return 1;
  if (mean <= 0) return 0;
  return upperTail(
    observed,
    (k) => k * Math.log(mean) - mean - logGamma(k + 1),
    (k) => mean / (k + 1),
    mean,
  );
}

/**
 * P(X ≥ observed) for the Poisson count whose rate is only known from a baseline: with the rate
 * estimated as `mean` from `exposure` baseline windows (a gamma posterior), the predictive
 * distribution is negative binomial with r = mean × exposure and q = exposure / (exposure + 1).
 * Short or borrowed baselines therefore need stronger evidence than long ones.
 */
export function negativeBinomialUpperTail(observed: number, mean: number, exposure: number): number {
  if (observed <= 0) return 1;
  const r = Math.max(mean * exposure, 0.5);
  const q = exposure / (exposure + 1);
  const logQ = Math.log(q);
  const log1q = Math.log(1 - q);
  const lgR = logGamma(r);
  return upperTail(
    observed,
    (k) => logGamma(k + r) - lgR - logGamma(k + 1) + r * logQ + k * log1q,
    (k) => ((k + r) / (k + 1)) * (1 - q),
    (r * (1 - q)) / q,
  );
}

/** P(K ≥ observed) for K ~ Binomial(trials, p). */
export function binomialUpperTail(observed: number, trials: number, p: number): number {
  if (observed <= 0) return 1;
  if (observed > trials || p <= 0) return 0;
  if (p >= 1) return 1;
  const lgN = logGamma(trials + 1);
  return upperTail(
    observed,
    (k) =>
      lgN - logGamma(k + 1) - logGamma(trials - k + 1) + k * Math.log(p) + (trials - k) * Math.log(1 - p),
    (k) => ((trials - k) / (k + 1)) * (p / (1 - p)),
    trials * p,
    trials,
  );
}
