/**
 * The taxonomy is configuration, not code: categories with their owner teams, severities,
 * intents and a per-category component vocabulary with multilingual synonyms. A deployment can
 * replace `config/taxonomy.json`; everything that needs a label reads it through here.
 */
import { readFileSync } from 'node:fs';

export const severities = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof severities)[number];

export const intents = ['complaint', 'praise', 'question', 'return_request', 'suggestion', 'spam'] as const;
export type Intent = (typeof intents)[number];

export const sentimentLabels = ['positive', 'neutral', 'negative'] as const;
export type SentimentLabel = (typeof sentimentLabels)[number];

export interface TaxonomyCategory {
  id: string;
  ownerTeam: string;
  description: string;
}

export interface TaxonomyComponent {
  id: string;
  categories: string[];
  /** Lower-case synonyms per language code (en, es, fr, de, it, pt, nl). */
  synonyms: Record<string, string[]>;
}

export interface Taxonomy {
  version: string;
  categories: TaxonomyCategory[];
  severities: string[];
  intents: string[];
  ownerTeams: string[];
  components: TaxonomyComponent[];
}

export const DEFAULT_TAXONOMY_PATH = 'config/taxonomy.json';

export function loadTaxonomy(path: string = DEFAULT_TAXONOMY_PATH): Taxonomy {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Taxonomy;
  if (!Array.isArray(parsed.categories) || parsed.categories.length === 0) {
    throw new Error(`taxonomy ${path} has no categories`);
  }
  return parsed;
}

export function ownerTeamOf(taxonomy: Taxonomy, categoryId: string): string {
  return taxonomy.categories.find((category) => category.id === categoryId)?.ownerTeam ?? 'none';
}
