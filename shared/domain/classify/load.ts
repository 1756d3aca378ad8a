/**
 * Loads the local classifier's configuration from the repository layout: taxonomy, rules,
 * safety lexicon and the model named in models/manifest.json. Used by the composition root,
 * the CLIs and the benchmark, so they all classify with the same files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTaxonomy, type Taxonomy } from '../taxonomy.js';
import { compileRules, loadRulesConfig, loadSafetyLexicon, type CompiledRules } from './rules.js';
import { loadModel, type CompactModel } from './model.js';

export interface LocalClassifierFiles {
  taxonomy: Taxonomy;
  rules: CompiledRules;
  model: CompactModel;
}

export const MODEL_MANIFEST = 'models/manifest.json';

export function currentModelPath(root = '.'): string {
  const manifest = JSON.parse(readFileSync(join(root, MODEL_MANIFEST), 'utf8')) as { current?: unknown };
  if (typeof manifest.current !== 'string') throw new Error(`${MODEL_MANIFEST} names no current model`);
  return join(root, 'models', manifest.current);
}

export function loadLocalClassifierFiles(root = '.', modelPath?: string): LocalClassifierFiles {
  const taxonomy = loadTaxonomy(join(root, 'config/taxonomy.json'));
  const rules = compileRules(
    loadRulesConfig(join(root, 'config/classify/rules.json')),
    loadSafetyLexicon(join(root, 'config/classify/safety-lexicon.json')),
  );
  return { taxonomy, rules, model: loadModel(modelPath ?? currentModelPath(root)) };
}
