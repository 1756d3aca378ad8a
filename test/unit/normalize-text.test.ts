import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCatalog } from '../../shared/domain/catalog.js';
import { extractEntities } from '../../shared/domain/normalize/entities.js';
import { foldedWordsJoinedOf, foldedWordsOf, foldText, wordsOf } from '../../shared/domain/normalize/fold.js';
import { prepareFeedbackText } from '../../shared/domain/normalize/index.js';
import { detectLanguage } from '../../shared/domain/normalize/language.js';
import { letterCount } from '../../shared/domain/normalize/chars.js';
import {
  functionWordVote,
  isSpace,
  segmentLanguage,
  separatorLengthAt,
  textVotes,
} from '../../shared/domain/normalize/segment-language.js';
import { detectSpam, repeatedRunLength } from '../../shared/domain/normalize/spam.js';
import { cleanText } from '../../shared/domain/normalize/text-cleanup.js';
import { fixtureCatalog, repoTaxonomy, TEST_TOKEN_KEY } from '../fixtures/normalize/envelopes.js';

const catalog = fixtureCatalog();
const taxonomy = repoTaxonomy();

void describe('cleanText', () => {
  void it('turns HTML into text and applies NFKC, keeping emoji', () => {
    assert.equal(
      cleanText('<p>The ﬁt is <b>great</b> 👍</p><p>Second&nbsp;line</p>', 'html'),
      'The fit is great 👍\n\nSecond line',
    );
  });

  void it('cuts quoted replies and mobile signatures from ticket bodies', () => {
    const body =
      'The lid still leaks.\nPlease help.\n\nSent from my iPhone\n\nOn Mon, 3 Nov 2026, Support <help@example.com> wrote:\n> Did you try the new seal?';
    assert.equal(cleanText(body, 'email'), 'The lid still leaks.\nPlease help.');
    assert.equal(
      cleanText('Sigue goteando.\n\nEl lun, 3 nov 2026, Soporte escribió:\n> ¿Probó la junta?', 'email'),
      'Sigue goteando.',
    );
    assert.equal(
      cleanText('Toujours cassé.\nLe 3 nov. 2026, Support a écrit :\n> Bonjour', 'email'),
      'Toujours cassé.',
    );
  });
});

void describe('detectLanguage', () => {
  void it('detects the supported languages with a confidence', () => {
    const samples: [string, string][] = [
      ['The zipper broke after two days and nobody answers my emails.', 'en'],
      ['La cremallera se rompió a los dos días y nadie contesta.', 'es'],
      ['La fermeture éclair a cassé au bout de deux jours.', 'fr'],
      ['Der Reißverschluss ist nach zwei Tagen kaputt gegangen.', 'de'],
      ['La cerniera si è rotta dopo due giorni.', 'it'],
      ['O fecho partiu-se ao fim de dois dias, que desilusão.', 'pt'],
      ['De rits is na twee dagen kapot gegaan.', 'nl'],
    ];
    for (const [text, code] of samples) {
      const result = detectLanguage(text);
      assert.equal(result.code, code, text);
      assert.ok(result.confidence > 0.5 && result.confidence <= 1, `${text}: ${result.confidence}`);
      assert.equal(result.mixed, false);
    }
  });

  void it('reads long monolingual reviews as one language, not mixed', () => {
    const reviews: [string, string][] = [
      [
        'en',
        'The zipper on my jacket broke after two days. Customer service took a week to answer and then asked for photos again. I expected much better quality for that price, to be honest.',
      ],
      [
        'es',
        'La cremallera de la chaqueta se rompió a los dos días. El servicio de atención al cliente tardó una semana en responder y me pidió otra vez las fotos. Esperaba mucha más calidad por ese precio.',
      ],
      [
        'fr',
        "La fermeture éclair de la veste a cassé au bout de deux jours. Le service client a mis une semaine à répondre et redemande des photos. J'attendais bien mieux à ce prix.",
      ],
      [
        'de',
        'Der Reißverschluss der Jacke ist nach zwei Tagen kaputt gegangen. Der Kundenservice hat eine Woche gebraucht, um zu antworten, und wollte dann noch einmal Fotos. Für den Preis hätte ich mehr erwartet.',
      ],
      [
        'it',
        'La cerniera della giacca si è rotta dopo due giorni. Il servizio clienti ha impiegato una settimana a rispondere e poi mi ha chiesto di nuovo le foto. Per quel prezzo mi aspettavo una qualità migliore.',
      ],
      [
        'pt',
        'O fecho do casaco partiu ao fim de dois dias. O apoio ao cliente demorou uma semana a responder e depois pediu outra vez as fotografias. Por esse preço esperava muito mais qualidade.',
      ],
      [
        'nl',
        "De rits van de jas is na twee dagen kapotgegaan. De klantenservice deed er een week over om te antwoorden en vroeg daarna opnieuw om foto's. Voor die prijs verwachtte ik veel betere kwaliteit.",
      ],
    ];
    for (const [code, text] of reviews) {
      assert.deepEqual(
        { ...detectLanguage(text), confidence: 0 },
        { code, confidence: 0, mixed: false },
        text,
      );
    }
  });

  void it('flags mixed-language text and says when it cannot tell', () => {
    assert.equal(
      detectLanguage(
        'The zipper broke after two days and it is not the first time. La cremallera se rompió y no es la primera vez que me pasa.',
      ).mixed,
      true,
    );
    assert.deepEqual(detectLanguage('👍 10/10'), { code: 'und', confidence: 0, mixed: false });
  });
});

void describe('detectSpam', () => {
  void it('flags promotional links, gibberish, repetition and empty text with reasons', () => {
    assert.deepEqual(detectSpam('Best price replica watches, click here https://bit.ly/xyz').reasons, [
      'promotional_link',
    ]);
    assert.ok(detectSpam('asdfgh qwrtzp xkcdvb').reasons.includes('gibberish'));
    assert.ok(detectSpam('!!!!!!!!!!!!!!!!!!!!').reasons.includes('no_meaningful_content'));
    assert.ok(detectSpam('buy buy buy buy buy buy buy buy').reasons.includes('repeated_characters'));
  });

  void it('keeps short, enthusiastic and emoji-only feedback', () => {
    for (const text of ['Sooooo good!!!', '👍', 'Love it', 'Schnell geliefert, danke']) {
      assert.equal(detectSpam(text).isSpam, false, text);
    }
  });

  void it('measures runs of six or more characters exactly, wherever they sit', () => {
    // The obvious loop over every character, against the one that reads every fifth.
    const reference = (text: string): number => {
      let total = 0;
      for (let start = 0, end = 1; start < text.length; start = end, end = start + 1) {
        while (end < text.length && text[end] === text[start]) end++;
        if (end - start >= 6) total += end - start;
      }
      return total;
    };
    assert.equal(repeatedRunLength('aaaaaa'), 6);
    assert.equal(repeatedRunLength('aaaaa'), 0);
    assert.equal(repeatedRunLength('xaaaaaabbbbbbbby'), 14);
    assert.equal(repeatedRunLength('ok!!!!!!'), 6);
    let seed = 7;
    const next = (limit: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % limit;
    };
    for (let n = 0; n < 20000; n++) {
      let text = '';
      for (let piece = next(30); piece > 0; piece--)
        text += 'ab!'[next(3)]!.repeat(1 + next(next(2) ? 3 : 9));
      assert.equal(repeatedRunLength(text), reference(text), JSON.stringify(text));
    }
  });

  void it('counts letters up to what it is asked for', () => {
    assert.equal(letterCount('a1b2c3 déf'), 6);
    assert.equal(letterCount('a1b2c3 déf', 4), 4);
    assert.equal(letterCount('12 ab', 5), 2);
  });
});

void describe('extractEntities', () => {
  void it('matches components through multilingual synonyms', () => {
    const texts: [string, string][] = [
      ['The zipper broke', 'en'],
      ['La cremallera se rompió', 'es'],
      ['La fermeture éclair est cassée', 'fr'],
      ['Der Reißverschluss klemmt', 'de'],
      ['De rits is kapot', 'nl'],
    ];
    for (const [text, language] of texts) {
      const entities = extractEntities(text, { catalog, taxonomy, language, orderTokens: [] });
      assert.deepEqual(entities.components, ['zipper'], text);
    }
  });

  void it('finds catalog products, milestones and carriers', () => {
    const entities = extractEntities(
      'My Alpine Shell Jacket was shipped with DHL but never arrived; the Pulse speakers are fine.',
      {
        catalog,
        taxonomy,
        language: 'en',
        orderTokens: ['ab12cd34'],
      },
    );
    assert.deepEqual(entities.products, ['JKT-ALP-01', 'BT-SPK-02']);
    assert.deepEqual(entities.milestones, ['shipped', 'lost']);
    assert.deepEqual(entities.carriers, ['DHL']);
    assert.deepEqual(entities.orderTokens, ['ab12cd34']);
  });
});

void describe('prepareFeedbackText', () => {
  void it('cleans, redacts, detects and fingerprints in one call', () => {
    const prepared = prepareFeedbackText(
      {
        text: '<p>Me llamo Ana Ruiz. La cremallera de mi chaqueta alpine se rompió, pedido 45821.</p>',
        title: 'Rota',
        languageHint: 'es-ES',
      },
      { tokenKey: TEST_TOKEN_KEY, taxonomy, catalog },
    );
    assert.match(
      prepared.text,
      /^Me llamo \[NAME\]\. La cremallera de mi chaqueta alpine se rompió, pedido \[ORDER:[0-9a-f]{8}\]\.$/,
    );
    assert.equal(prepared.title, 'Rota');
    assert.deepEqual(prepared.piiTypes, ['ORDER', 'NAME']);
    assert.equal(prepared.language.code, 'es');
    assert.deepEqual(prepared.entities.components, ['zipper']);
    assert.deepEqual(prepared.entities.products, ['JKT-ALP-01']);
    assert.equal(prepared.entities.orderTokens.length, 1);
    assert.match(prepared.textHash, /^[0-9a-f]{32}$/);
    assert.equal(prepared.spam.isSpam, false);
  });

  void it('uses the language hint when the text is too short to tell', () => {
    const prepared = prepareFeedbackText(
      { text: 'OK', languageHint: 'de-AT' },
      { tokenKey: TEST_TOKEN_KEY, taxonomy, catalog },
    );
    assert.deepEqual(prepared.language, { code: 'de', confidence: 0.5, mixed: false });
  });
});

void describe('catalog', () => {
  void it('validates the file format and rejects duplicate SKUs', () => {
    assert.equal(catalog.products.length, 3);
    assert.throws(
      () => parseCatalog({ version: '1', currency: 'EUR', products: [{ sku: 'A' }] }),
      /must have property/,
    );
    const product = { sku: 'A', productId: '1', name: 'A', aliases: [], category: 'x' };
    assert.throws(
      () =>
        parseCatalog({ version: '1', currency: 'EUR', products: [product, { ...product, productId: '2' }] }),
      /twice/,
    );
  });
});

void describe('folded words by table', () => {
  void it('gives the words of foldText + wordsOf, accents, marks, emoji and ligatures included', () => {
    const texts = [
      'La cremallera se rompió después de dos días. Der Reißverschluss ist kaputt!',
      'Straße ẞ İstanbul ﬁne e\u0301té a \u0301b 😀👍🏽 x\u200dy ½ ² Ⅻ ΣΑΣ 日本語 naïve Øre æble ĳ',
      'tab\tnew\nline—dash [ORDER:ab12cd34] +44 20 7946 0958 €189,00',
      '  ... leading and trailing separators ...  ',
      'ß'.repeat(1500) + ' Größe',
      '',
    ];
    for (const text of texts) {
      const expected = wordsOf(foldText(text));
      assert.deepEqual(foldedWordsOf(text), expected, text);
      assert.equal(foldedWordsJoinedOf(text).joined, expected.join(' '), text);
    }
  });
});

void describe('function-word votes in one pass', () => {
  const placeholder = /\[[A-Z]+(?::[0-9a-f]+)?\]/g;
  const texts = [
    'The zipper broke after two days. La cremallera se rompió a los dos días y nadie contesta.',
    'Der Reißverschluss ist kaputt, Bestellung [ORDER:ab12cd34] kam zu spät an.\nDe rits is na twee dagen kapot.',
    'Call me on [PHONE] about order [ORDER:3e8a1b2c]: the 2nd zip and the 3a size are wrong. ' +
      'Il colore è molto più scuro di quello nelle foto, e la taglia 46 veste piccola.',
    'a1b2c3 de la 4x le et 𝔘 the and is was; ' + 'word '.repeat(70) + 'und die der das ist nicht sehr gut.',
    'x'.repeat(318) + ' the and und die.',
  ];
  for (const text of texts) {
    void it(text.slice(0, 60), () => {
      const head = text.slice(0, 320);
      const hidden = [...head.matchAll(placeholder)].flatMap((match) => [
        match.index,
        match.index + match[0].length,
      ]);
      const votes = textVotes(text, head.length, hidden, 20);
      const visible = head.replace(placeholder, (match) => ' '.repeat(match.length));
      const segments = new Set(
        text
          .split(/(?<=[.!?¡¿;])\s+|\n+/)
          .filter((segment) => segment.length >= 20)
          .map(segmentLanguage)
          .filter((language) => language !== undefined),
      );
      assert.deepEqual(votes, {
        headLetters: letterCount(visible),
        head: functionWordVote(visible, true),
        segmentLanguages: segments.size,
      });
    });
  }
});

void describe('segment separators without the pattern', () => {
  void it('reads white space as \\s does', () => {
    for (let code = 0; code < 0x10000; code++)
      assert.equal(isSpace(code), /\s/.test(String.fromCharCode(code)), code.toString(16));
  });

  void it('finds the separators the global pattern finds', () => {
    const texts = [
      'One. Two!  Three?\nFour;\u00a0five ¡six! ¿seven?\n\n\neight.\u2028nine.\t\n ten',
      '\n\nstarts with lines. . .  \r\n. \u3000end.',
      'no separator at all',
      '. ',
      '',
    ];
    for (const text of texts) {
      const expected = [...text.matchAll(/(?<=[.!?¡¿;])\s+|\n+/g)].map((match) => [
        match.index,
        match[0].length,
      ]);
      const found: number[][] = [];
      for (let i = 0; i < text.length; i++) {
        const length = separatorLengthAt(text, i);
        if (length === 0) continue;
        found.push([i, length]);
        i += length - 1;
      }
      assert.deepEqual(found, expected, JSON.stringify(text));
    }
  });
});
