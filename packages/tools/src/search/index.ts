// Public surface of the search half of @arpo/tools (re-exported from src/index.ts).
export {
  SearchBackendError,
  type SearchBackend,
  type SearchHit,
  type SearchOptions,
} from './search-backend.js';
export {
  readCorpus,
  validateDoc,
  type CorpusDoc,
  type CorpusProgress,
  type CorpusSource,
  type ReadCorpusOptions,
} from './corpus.js';
export {
  buildSqliteIndex,
  openSqliteIndex,
  toFtsQuery,
  MAX_QUERY_TOKENS,
  SQLITE_INDEX_FORMAT,
  SQLITE_INDEX_VERSION,
  type BuildIndexOptions,
  type IndexBuildStats,
  type SearchIndexMeta,
  type SqliteSearchBackend,
} from './sqlite-index.js';
export {
  buildMiniSearchIndex,
  openMiniSearchIndex,
  createMiniSearchBackend,
  MINISEARCH_INDEX_FORMAT,
  MINISEARCH_INDEX_VERSION,
  type MiniSearchBackend,
} from './minisearch-index.js';
export {
  createElasticsearchBackend,
  ElasticsearchConfigSchema,
  type ElasticsearchBackend,
  type ElasticsearchConfig,
  type ElasticsearchConfigInput,
} from './elasticsearch-backend.js';
export {
  createSearchTool,
  cleanSearchQuery,
  formatSearchResults,
  hitSnippet,
  cutToChars,
  NO_SEARCH_RESULTS,
  SearchToolOptionsSchema,
  type SearchResultCache,
  type SearchTool,
  type SearchToolOptions,
  type SearchToolOptionsInput,
} from './search-tool.js';
