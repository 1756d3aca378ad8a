/** The score domain: feature definitions, baselines, tests, decisions and the feature store port. */
export * from './baseline.js';
export * from './expected-events.js';
export * from './feature-store.js';
export * from './features.js';
export * from './incident-key.js';
export * from './score-product.js';
export * from './settings.js';
export * from './stats.js';
