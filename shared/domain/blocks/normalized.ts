/** The normalize stage's block. Owned by the normalize work; other stages only read it. */
export interface NormalizedBlock {
  /** Cleaned and PII-redacted text; the original stays only in the raw blob. */
  text: string;
  title?: string;
  rating?: number;
  npsScore?: number;
  product: { sku?: string; productId?: string; variant?: string; name?: string };
  /** Keyed token of the order number (HMAC), never the number itself. */
  orderToken?: string;
  customer: { token?: string; tier?: string };
  locale?: string;
  region?: string;
  language: { code: string; confidence: number; mixed: boolean };
  /** Which PII types were found and redacted; never the values. */
  piiTypes: string[];
  spam: { isSpam: boolean; reasons: string[] };
  duplicate: { exactOf?: string; nearDuplicateOf?: string; similarity?: number };
  /** Hash of the normalized text, for exact duplicates per product. */
  textHash: string;
  entities: {
    products: string[];
    components: string[];
    milestones: string[];
    carriers: string[];
    orderTokens: string[];
  };
}

const stringArray = { type: 'array', items: { type: 'string' } } as const;

export const normalizedBlockSchema = {
  type: 'object',
  required: [
    'text',
    'product',
    'customer',
    'language',
    'piiTypes',
    'spam',
    'duplicate',
    'textHash',
    'entities',
  ],
  properties: {
    text: { type: 'string' },
    title: { type: 'string' },
    rating: { type: 'number', minimum: 1, maximum: 5 },
    npsScore: { type: 'integer', minimum: 0, maximum: 10 },
    product: {
      type: 'object',
      properties: {
        sku: { type: 'string' },
        productId: { type: 'string' },
        variant: { type: 'string' },
        name: { type: 'string' },
      },
      additionalProperties: false,
    },
    orderToken: { type: 'string' },
    customer: {
      type: 'object',
      properties: { token: { type: 'string' }, tier: { type: 'string' } },
      additionalProperties: false,
    },
    locale: { type: 'string' },
    region: { type: 'string' },
    language: {
      type: 'object',
      required: ['code', 'confidence', 'mixed'],
      properties: {
        code: { type: 'string' },
        confidence: { type: 'number', minimum: 0, maximum: 1 },
        mixed: { type: 'boolean' },
      },
      additionalProperties: false,
    },
    piiTypes: stringArray,
    spam: {
      type: 'object',
      required: ['isSpam', 'reasons'],
      properties: { isSpam: { type: 'boolean' }, reasons: stringArray },
      additionalProperties: false,
    },
    duplicate: {
      type: 'object',
      properties: {
        exactOf: { type: 'string' },
        nearDuplicateOf: { type: 'string' },
        similarity: { type: 'number', minimum: 0, maximum: 1 },
      },
      additionalProperties: false,
    },
    textHash: { type: 'string' },
    entities: {
      type: 'object',
      required: ['products', 'components', 'milestones', 'carriers', 'orderTokens'],
      properties: {
        products: stringArray,
        components: stringArray,
        milestones: stringArray,
        carriers: stringArray,
        orderTokens: stringArray,
      },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
} as const;
