// Public surface of the query cache (re-exported from src/index.ts).
export { QueryCache, QueryCacheError, type QueryCacheOptions, type QueryCacheStats } from './query-cache.js';
export { writeFileAtomicSync } from './atomic-write.js';
