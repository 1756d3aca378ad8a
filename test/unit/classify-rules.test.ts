import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyRules,
  compileRules,
  loadRulesConfig,
  loadSafetyLexicon,
  ruleTokens,
  ruleTokensOfFolded,
  validateRulesConfig,
} from '../../shared/domain/classify/rules.js';
import { foldText, markNegation, tokenize, tokenizeFolded } from '../../shared/domain/classify/text.js';

const rules = compileRules(loadRulesConfig(), loadSafetyLexicon());

void test('folding makes case and accents optional', () => {
  assert.equal(foldText('Reißverschluss KAPUTT, écran'), 'reissverschluss kaputt, ecran');
  assert.deepEqual(ruleTokens("Doesn't work, l'écran"), ['doesn', 't', 'work', 'l', 'ecran']);
});

void test('negation marks the following words', () => {
  assert.deepEqual(markNegation(tokenize('not good at all ! great')), [
    'not',
    '~good',
    '~at',
    '~all',
    '!',
    'great',
  ]);
});

const hazards: [string, string, string][] = [
  ['en', 'The charger started smoking and the plug melted.', 'smoke'],
  ['en', 'lol my phone case literally caught fire', 'fire'],
  ['en', 'Got an electric shock from the casing', 'electric_shock'],
  ['en', 'My toddler choked on the button that fell off', 'choking'],
  ['en', 'Hives all over after one wear, allergic to something in it', 'allergic_reaction'],
  ['es', 'El cargador echó humo y se derritió', 'smoke'],
  ['es', 'Me quemé la mano con la tapa', 'burn'],
  ['es', 'mi hijo se atragantó con una pieza', 'choking'],
  ['fr', 'La prise a pris feu, heureusement rien de grave', 'fire'],
  ['fr', "J'ai pris une décharge électrique", 'electric_shock'],
  ['fr', 'Urticaire et démangeaisons après une journée', 'allergic_reaction'],
  ['de', 'Das Netzteil ist geschmolzen und roch verbrannt', 'melting'],
  ['de', 'Ich habe mich am Griff verletzt', 'injury'],
  ['de', 'Stromschlag beim Einstecken!', 'electric_shock'],
  ['it', 'Il caricatore ha fatto fumo', 'smoke'],
  ['pt', 'A bateria queimou minha mão', 'burn'],
  ['nl', 'Het apparaat begon te roken, er kwam rook uit', 'smoke'],
];

for (const [language, text, hazard] of hazards) {
  void test(`safety lexicon finds ${hazard} in ${language}: ${text}`, () => {
    assert.ok(applyRules(rules, text, language).hazards.includes(hazard));
  });
}

void test('a hazard is found whatever language the item was labelled with', () => {
  assert.ok(applyRules(rules, 'Der Akku hat Feuer gefangen', 'en').hazards.includes('fire'));
});

void test('a negated hazard still counts (missing a hazard costs more than a false alarm)', () => {
  assert.ok(applyRules(rules, 'It did not catch fire but it smoked a lot', 'en').hazards.length > 0);
});

void test('slang praise is not a hazard', () => {
  assert.deepEqual(applyRules(rules, 'these sneakers are fire 🔥 honestly', 'en').hazards, []);
  assert.deepEqual(applyRules(rules, 'arrived in brand new condition', 'en').hazards, []);
});

void test('a category cue after a negation is ignored, a sentiment cue is flipped', () => {
  const findings = applyRules(rules, 'Not damaged at all, not bad', 'en');
  assert.equal(findings.categories.get('damaged_in_transit'), undefined);
  assert.equal(findings.negative, 0);
  assert.ok(findings.positive > 0);
});

void test('category cues apply in the item language and English only', () => {
  assert.ok(applyRules(rules, 'Die Hose fällt klein aus', 'de').categories.has('sizing_fit'));
  assert.ok(!applyRules(rules, 'Die Hose fällt klein aus', 'fr').categories.has('sizing_fit'));
});

void test('sarcasm and intents are recognised', () => {
  assert.ok(applyRules(rules, 'Oh great, it broke again 🙄', 'en').sarcasmStrong);
  assert.ok(applyRules(rules, 'Je veux être remboursé', 'fr').intents.has('return_request'));
  assert.ok(applyRules(rules, 'Wäre schön, wenn es einen Timer gäbe', 'de').intents.has('suggestion'));
});

void test('rule ids say which group and language fired', () => {
  const findings = applyRules(rules, 'La cremallera se rompió y salió humo', 'es');
  assert.ok(findings.ruleIds.includes('safety:smoke:es'));
});

void test('the rules configuration is validated', () => {
  assert.equal(validateRulesConfig({ version: 'x' }).ok, false);
  assert.throws(
    () => compileRules({ ...loadRulesConfig(), sarcasm: { en: ['ab*'] } }, loadSafetyLexicon()),
    /prefix/,
  );
});

/** A deterministic mix of the characters the tokenizer and the folding treat specially. */
function varietyTexts(count: number): string[] {
  const pieces = [
    "'",
    'a',
    'Z',
    '5',
    ' ',
    '!',
    '?',
    '.',
    'é',
    'É',
    'ß',
    'İ',
    '²',
    '½',
    '🙂',
    '❤️',
    '©',
    'ℹ',
    '中',
    '𠀀',
    '\u0301',
    '’',
    '“',
    '`',
    '´',
    'ǅ',
    '\ud800',
    'Σ',
    '\n',
  ];
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  return Array.from({ length: count }, () => {
    let text = '';
    const length = Math.floor(next() * 16);
    for (let index = 0; index < length; index++) text += pieces[Math.floor(next() * pieces.length)] as string;
    return text;
  });
}

void test('the one-pass tokenizer gives the same tokens as the token patterns', () => {
  for (const text of [...varietyTexts(5000), "l'écran n'est pas là, it's 3'4 and abc'de5", "doesn't"]) {
    const folded = foldText(text);
    const tokens = tokenizeFolded(folded);
    assert.deepEqual(tokens.ruleTokens, ruleTokensOfFolded(folded), JSON.stringify(text));
    assert.deepEqual(tokens.featureTokens, tokenize(folded), JSON.stringify(text));
  }
});

void test('folding by table gives the same text as normalize and the replacements', () => {
  const definition = (text: string) =>
    text
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .replace(/ß/g, 'ss')
      .replace(/[\u2018\u2019\u02bc`´]/g, "'")
      .replace(/[\u201c\u201d\u00ab\u00bb]/g, '"');
  const latin = Array.from({ length: 0x250 - 0x20 }, (_, index) => String.fromCharCode(0x20 + index));
  for (const char of latin) assert.equal(foldText(`Ab${char}Cd`), definition(`Ab${char}Cd`));
  for (const text of varietyTexts(5000)) assert.equal(foldText(text), definition(text), JSON.stringify(text));
});
