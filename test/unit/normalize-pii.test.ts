import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findPii, ibanValid, luhnValid, redactPii } from '../../shared/domain/normalize/pii.js';
import { evaluatePii, parseCorpus } from '../../shared/domain/normalize/pii-evaluation.js';
import { orderToken } from '../../shared/domain/normalize/tokens.js';
import { readFixture, TEST_TOKEN_KEY } from '../fixtures/normalize/envelopes.js';

const options = { tokenKey: TEST_TOKEN_KEY };

void describe('PII corpus (acceptance)', () => {
  const corpus = parseCorpus(readFixture('pii-corpus.jsonl'));
  const evaluation = evaluatePii(corpus, TEST_TOKEN_KEY);

  void it('has at least 300 annotated lines in all seven languages', () => {
    assert.ok(corpus.length >= 300, `${corpus.length} lines`);
    assert.deepEqual([...new Set(corpus.map((line) => line.lang))].sort(), [
      'de',
      'en',
      'es',
      'fr',
      'it',
      'nl',
      'pt',
    ]);
  });

  void it('reaches recall 0.99 and precision 0.95 for every type', () => {
    assert.equal(evaluation.byType.length, 8);
    for (const score of evaluation.byType) {
      assert.ok(score.recall >= 0.99, `${score.type} recall ${score.recall}`);
      assert.ok(score.precision >= 0.95, `${score.type} precision ${score.precision}`);
    }
  });

  void it('leaks no personal value and keeps every look-alike', () => {
    assert.deepEqual(evaluation.leaks, []);
    assert.deepEqual(evaluation.lostLookAlikes, []);
  });
});

void describe('redactPii', () => {
  void it('turns order and tracking numbers into stable keyed tokens', () => {
    const a = redactPii('Order #1001 has not arrived, tracking number 1Z999AA10123456784.', options);
    const b = redactPii('Where is order 1001?', options);
    assert.match(
      a.text,
      /^Order \[ORDER:[0-9a-f]{8}\] has not arrived, tracking number \[TRACKING:[0-9a-f]{8}\]\.$/,
    );
    assert.deepEqual(a.orderTokens, b.orderTokens, 'the same order links across items');
    assert.equal(a.orderTokens[0], orderToken('1001', TEST_TOKEN_KEY));
    assert.notEqual(redactPii('Order #1001', { tokenKey: 'another-key' }).orderTokens[0], a.orderTokens[0]);
    assert.deepEqual(a.piiTypes, ['TRACKING', 'ORDER']);
  });

  void it('replaces other types with placeholders and reports types, not values', () => {
    const result = redactPii(
      'Mail me at ana.lopez@example.com or +34 612 345 678. Me llamo Ana López.',
      options,
    );
    assert.equal(result.text, 'Mail me at [EMAIL] or [PHONE]. Me llamo [NAME].');
    assert.deepEqual(result.piiTypes, ['EMAIL', 'PHONE', 'NAME']);
  });

  void it('redacts names known from the payload wherever they appear', () => {
    const result = redactPii('Greta here again, the kettle leaks.', {
      ...options,
      knownPersonNames: ['Greta Lindqvist'],
    });
    assert.equal(result.text, '[NAME] here again, the kettle leaks.');
  });

  void it('keeps prices, dates, SKUs, quantities and versions', () => {
    const text =
      'Paid €1.299,00 on 27.11.2026 for 2 x JKT-ALP-01 (v2.3.1, 5000 mAh, 1200 W), delivered 2026-11-30 10:30.';
    assert.deepEqual(findPii(text, options), []);
  });

  void it('checks card numbers with Luhn and IBANs with mod-97', () => {
    assert.equal(luhnValid('4111111111111111'), true);
    assert.equal(luhnValid('4111111111111112'), false);
    assert.equal(ibanValid('DE89 3704 0044 0532 0130 00'), true);
    assert.equal(ibanValid('DE89 3704 0044 0532 0130 01'), false);
    assert.deepEqual(findPii('Card 4111 1111 1111 1112 was declined', options), []);
  });
});

void describe('e-mail addresses found per @', () => {
  // The detector tries the address pattern only where a run of local-part characters before an
  // '@' starts; a global search of the whole text is the reference.
  const reference =
    /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}/gu;
  const texts = [
    'write to ana@example.com or bo.b+x@mail.example.org, thanks',
    'a@b.com.x@y.com and c@d.ef',
    '@alone, x@ and @y.com are not addresses; neither is a@b.c',
    'mixed: 𝔘ser@example.com, ñandú@correo.es, über_ich@web.de',
    'joined:ana@example.com,bob@example.com;carl@example.com',
    '..a@b.de..c@d.fr',
  ];
  for (const text of texts) {
    void it(text, () => {
      const expected = [...text.matchAll(reference)].map((match) => [match.index, match[0]]);
      const found = findPii(text, options)
        .filter((span) => span.type === 'EMAIL')
        .map((span) => [span.start, span.value]);
      assert.deepEqual(found, expected);
    });
  }

  void it('spots obfuscated addresses with any bracket pair', () => {
    for (const text of [
      'ana [at] example [dot] com',
      'ana (arroba) example (punto) es',
      'ana [arroba] ejemplo [punto] es',
    ]) {
      assert.deepEqual(
        findPii(text, options).map((span) => span.type),
        ['EMAIL'],
        text,
      );
    }
  });
});
