import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  binomialUpperTail,
  logGamma,
  negativeBinomialUpperTail,
  poissonUpperTail,
} from '../../shared/domain/score/stats.js';
import { alphaOf } from '../../shared/domain/score/settings.js';

const close = (actual: number, expected: number, relative = 1e-6): void =>
  assert.ok(Math.abs(actual - expected) <= relative * Math.abs(expected), `${actual} ≉ ${expected}`);

void test('logGamma matches factorials', () => {
  assert.ok(Math.abs(logGamma(1)) < 1e-12);
  close(Math.exp(logGamma(6)), 120);
  close(Math.exp(logGamma(11)), 3628800);
  close(Math.exp(logGamma(0.5)), Math.sqrt(Math.PI));
});

void test('Poisson upper tail agrees with the complement of the CDF', () => {
  // P(X ≥ 3 | 1) = 1 − e^-1 (1 + 1 + 1/2)
  close(poissonUpperTail(3, 1), 1 - Math.exp(-1) * 2.5);
  close(poissonUpperTail(1, 2), 1 - Math.exp(-2));
  assert.equal(poissonUpperTail(0, 5), 1);
  assert.equal(poissonUpperTail(2, 0), 0);
  // Far tail keeps precision: P(X ≥ 20 | 1) ≈ e^-1 / 20! (1 + 1/21 + ...)
  close(
    poissonUpperTail(20, 1),
    (Math.exp(-1) / Math.exp(logGamma(21))) * (1 + 1 / 21 + 1 / (21 * 22)),
    1e-3,
  );
});

void test('negative binomial tends to Poisson as the baseline grows, and is wider when it is short', () => {
  close(negativeBinomialUpperTail(8, 2, 1e7), poissonUpperTail(8, 2), 1e-3);
  assert.ok(negativeBinomialUpperTail(8, 2, 3) > poissonUpperTail(8, 2) * 5);
  assert.equal(negativeBinomialUpperTail(0, 2, 10), 1);
  // Mean of NB(r, q) is r(1−q)/q = mean: P(X ≥ 1) = 1 − q^r
  const exposure = 4;
  const mean = 1.5;
  close(negativeBinomialUpperTail(1, mean, exposure), 1 - (exposure / (exposure + 1)) ** (mean * exposure));
});

void test('binomial upper tail', () => {
  close(binomialUpperTail(2, 2, 0.5), 0.25);
  close(binomialUpperTail(1, 3, 0.5), 0.875);
  assert.equal(binomialUpperTail(4, 3, 0.5), 0);
  close(binomialUpperTail(10, 10, 0.1), 1e-10);
});

void test('sensitivity maps to a per-test threshold that rises with it', () => {
  close(alphaOf(0.5), 1e-4 / 48);
  assert.ok(alphaOf(0) < alphaOf(0.5) && alphaOf(0.5) < alphaOf(1));
  assert.equal(alphaOf(2), alphaOf(1));
});
