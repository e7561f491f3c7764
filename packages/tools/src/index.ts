export * from './protocol.js';
export * from './execution/index.js';
export * from './search/index.js';
export * from './cache/index.js';
export * from './python/index.js';
