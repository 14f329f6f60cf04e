/** The operations of the product and their wire shapes, as zod schemas (browser-safe). */
export * from './wire.js';
export * from './catalog.js';
