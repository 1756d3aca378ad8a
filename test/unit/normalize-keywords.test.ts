import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeywordGroups } from '../../shared/domain/normalize/keyword-groups.js';
import { cueWordLists, STREET_KEYWORDS } from '../../shared/domain/normalize/pii.js';

/** The regex test the keyword groups stand for: one alternation of the literal words per group. */
function regexGroupsIn(groups: readonly (readonly string[])[], text: string): number {
  let mask = 0;
  groups.forEach((words, index) => {
    const alternation = words.map((word) => word.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|');
    if (new RegExp(alternation).test(text)) mask |= 1 << index;
  });
  return mask;
}

/** Deterministic pseudo-random texts made of keyword pieces, near-misses and filler. */
function* mixedTexts(words: readonly string[], count: number): Generator<string> {
  let seed = 12345;
  const next = (limit: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % limit;
  };
  const fillers = [' ', 'a', 'é', '€', '12', 'x', '\n', 'Ü', 'the ', '😀'];
  for (let n = 0; n < count; n++) {
    let text = '';
    for (let piece = next(12); piece > 0; piece--) {
      const word = words[next(words.length)]!;
      const kind = next(4);
      if (kind === 0) text += word;
      else if (kind === 1)
        text += word.slice(0, Math.max(1, word.length - 1)); // a near-miss
      else if (kind === 2) text += word.toUpperCase();
      else text += fillers[next(fillers.length)]!;
    }
    yield text;
  }
}

void describe('KeywordGroups', () => {
  void it('finds the same groups as one alternation regex per group', () => {
    const groups = STREET_KEYWORDS;
    const keywords = new KeywordGroups(groups);
    let found = 0;
    for (const text of mixedTexts(groups.flat(), 3000)) {
      const expected = regexGroupsIn(groups, text);
      assert.equal(keywords.groupsIn(text), expected, JSON.stringify(text));
      if (expected !== 0) found++;
    }
    assert.ok(found > 1000, `only ${found} texts held a keyword`);
  });

  void it('finds words at the very start and end, and nothing in empty or one-character text', () => {
    const keywords = new KeywordGroups([['ab'], ['xyz']]);
    assert.equal(keywords.groupsIn('ab'), 1);
    assert.equal(keywords.groupsIn('..xyz'), 2);
    assert.equal(keywords.groupsIn('xyzab'), 3);
    assert.equal(keywords.groupsIn('xy'), 0);
    assert.equal(keywords.groupsIn('a'), 0);
    assert.equal(keywords.groupsIn(''), 0);
  });

  void it('refuses words it cannot index', () => {
    assert.throws(() => new KeywordGroups([['é-word']]), /two ASCII characters/);
    assert.throws(() => new KeywordGroups([['a']]), /two ASCII characters/);
  });
});

/**
 * One phrase per alternative of each cue pattern: each must match its pattern and contain one of
 * the pattern's cue words, else a detector would skip a cue that is there.
 */
const cuePhrases: Record<string, string[]> = {
  order: [
    'order 123',
    'order number 123',
    'order no. 123',
    'order nr 123',
    'order id 123',
    'order ref 123',
    'order reference 123',
    'pedido 123',
    'pedido nº 123',
    'pedido número 123',
    'nº de pedido 123',
    'número de pedido 123',
    'referencia del pedido 123',
    'commande 123',
    'commande n° 123',
    'numéro de commande 123',
    'n° de la commande 123',
    'bestellung 123',
    'bestellung nr. 123',
    'bestellnummer 123',
    'auftragsnummer 123',
    'auftrag nr 123',
    'ordine 123',
    'ordine n. 123',
    "numero d'ordine 123",
    "n. dell'ordine 123",
    'encomenda 123',
    'encomenda n.º 123',
    'número da encomenda 123',
    'bestelling 123',
    'bestelling nummer 123',
    'bestelnummer 123',
    'ordernummer 123',
  ],
  tracking: [
    'tracking 1234567890',
    'tracking number 1234567890',
    'track & trace 1234567890',
    'track and trace code 1234567890',
    'nº de seguimiento 1234567890',
    'número de rastreo 1234567890',
    'código de envío 1234567890',
    'seguimiento 1234567890',
    'numéro de suivi 1234567890',
    'suivi colis 1234567890',
    'sendungsnummer 1234567890',
    'sendungsverfolgung 1234567890',
    'paketnummer 1234567890',
    'trackingnummer 1234567890',
    'tracking-nummer 1234567890',
    'codice di tracciamento 1234567890',
    'numero spedizione 1234567890',
    'tracciamento 1234567890',
    'código de rastreio 1234567890',
    'número de objeto 1234567890',
    'rastreamento 1234567890',
    'zendingnummer 1234567890',
    'trackingcode 1234567890',
    'barcode 1234567890',
  ],
  address: [
    'my address is 5 Elm Road',
    'ship it to 5 Elm Road',
    'send to 5 Elm Road',
    'deliver to 5 Elm Road',
    'mi dirección es Calle Sol 5',
    'dirección: Calle Sol 5',
    'envíalo a Calle Sol 5',
    'envielo a Calle Sol 5',
    'mon adresse est 5 rue Vert',
    'adresse : 5 rue Vert',
    'meine adresse ist Weg 5',
    'meine adresse lautet Weg 5',
    'lieferadresse: Weg 5',
    'il mio indirizzo è Via Po 5',
    'indirizzo: Via Po 5',
    'a minha morada é Rua X 5',
    'o meu endereço é Rua X 5',
    'meu endereco é Rua X 5',
    'morada: Rua X 5',
    'endereço: Rua X 5',
    'mijn adres is Laan 5',
    'adres: Laan 5',
  ],
  'sign-off': [
    'regards',
    'best regards',
    'kind regards',
    'thanks',
    'thank you',
    'many thanks',
    'cheers',
    'best',
    'saludos',
    'un saludo',
    'gracias',
    'atentamente',
    'cordialement',
    'merci',
    'bien à vous',
    'mit freundlichen grüßen',
    'viele grüße',
    'liebe grüße',
    'grüße',
    'danke',
    'gruß',
    'grazie',
    'cordiali saluti',
    'saluti',
    'obrigado',
    'obrigada',
    'atenciosamente',
    'cumprimentos',
    'met vriendelijke groet',
    'groeten',
    'groetjes',
    'bedankt',
    'dank je',
    'dank u',
  ].map((cue) => `${cue}, Maria`),
  title: [
    'Mr',
    'Mrs',
    'Ms',
    'Miss',
    'Dr',
    'Sr',
    'Sra',
    'Srta',
    'Don',
    'Doña',
    'Monsieur',
    'Madame',
    'Mme',
    'Mlle',
    'Herr',
    'Frau',
    'Sig',
    'Sig.ra',
    'Signor',
    'Signora',
    'Dott',
    'Dhr',
    'Mevr',
    'Mevrouw',
    'Meneer',
  ].map((title) => `${title} Rossi`),
};

void describe('PII cue words', () => {
  for (const { name, pattern, words } of cueWordLists) {
    void it(`every ${name} cue phrase holds one of its cue words`, () => {
      const phrases = cuePhrases[name];
      assert.ok(phrases && phrases.length > 0, `no phrases for ${name}`);
      const lowerCaseWords = name !== 'title';
      for (const phrase of phrases) {
        pattern.lastIndex = 0;
        assert.ok(pattern.test(phrase), `${name} pattern does not match '${phrase}'`);
        pattern.lastIndex = 0;
        const subject = lowerCaseWords ? phrase.toLowerCase() : phrase;
        assert.ok(
          words.some((word) => subject.includes(word)),
          `'${phrase}' holds none of the ${name} cue words`,
        );
      }
    });
  }
});
