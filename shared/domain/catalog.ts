/**
 * The product catalog: which SKUs and product ids exist, with their names and the aliases
 * customers use for them. Configuration, loaded once from a JSON file whose path is a setting;
 * the normalize stage matches product mentions against it and fills product names.
 */
import { readFileSync } from 'node:fs';
import { makeValidator } from './validation.js';

export interface CatalogProduct {
  sku: string;
  productId: string;
  name: string;
  aliases: string[];
  category: string;
  priceCents?: number;
  strategic?: boolean;
  supplier?: string;
}

export interface Catalog {
  version: string;
  currency: string;
  products: CatalogProduct[];
}

export const catalogSchema = {
  $id: 'catalog.v1',
  type: 'object',
  required: ['version', 'currency', 'products'],
  properties: {
    version: { type: 'string', minLength: 1 },
    currency: { type: 'string', pattern: '^[A-Z]{3}$' },
    products: {
      type: 'array',
      items: {
        type: 'object',
        required: ['sku', 'productId', 'name', 'aliases', 'category'],
        properties: {
          sku: { type: 'string', minLength: 1 },
          productId: { type: 'string', minLength: 1 },
          name: { type: 'string', minLength: 1 },
          aliases: { type: 'array', items: { type: 'string', minLength: 1 } },
          category: { type: 'string', minLength: 1 },
          priceCents: { type: 'integer', minimum: 0 },
          strategic: { type: 'boolean' },
          supplier: { type: 'string' },
        },
        additionalProperties: false,
      },
    },
  },
  additionalProperties: false,
} as const;

export const validateCatalog = makeValidator<Catalog>(catalogSchema);

/** Parses and validates a catalog document; throws with the failing paths and duplicate keys. */
export function parseCatalog(input: unknown, origin = 'catalog'): Catalog {
  const checked = validateCatalog(input);
  if (!checked.ok) throw new Error(`${origin} is invalid: ${checked.error}`);
  const seen = new Set<string>();
  for (const product of checked.value.products) {
    for (const key of [`sku:${product.sku}`, `id:${product.productId}`]) {
      if (seen.has(key)) throw new Error(`${origin} lists ${key} twice`);
      seen.add(key);
    }
  }
  return checked.value;
}

export function loadCatalog(path: string): Catalog {
  return parseCatalog(JSON.parse(readFileSync(path, 'utf8')) as unknown, `catalog ${path}`);
}

/** Lookups by sku and product id, built once per catalog. */
export interface CatalogIndex {
  bySku: Map<string, CatalogProduct>;
  byProductId: Map<string, CatalogProduct>;
}

const indexes = new WeakMap<Catalog, CatalogIndex>();

export function indexCatalog(catalog: Catalog): CatalogIndex {
  const cached = indexes.get(catalog);
  if (cached) return cached;
  const index: CatalogIndex = {
    bySku: new Map(catalog.products.map((product) => [product.sku.toLowerCase(), product])),
    byProductId: new Map(catalog.products.map((product) => [product.productId, product])),
  };
  indexes.set(catalog, index);
  return index;
}
