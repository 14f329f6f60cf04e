/** @prodboard/shared: the manifest, validation, list queries and the error family. Browser-safe. */
export * from './manifest.js';
export * from './errors.js';
export * from './columns.js';
export * from './card-fields.js';
export * from './validate.js';
export * from './query.js';
export * from './scopes.js';
export * from './comments.js';
export * from './operations/index.js';
export * from './keys.js';
