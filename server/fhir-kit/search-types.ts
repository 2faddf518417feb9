import type { SearchParamDefinition } from './search-parameters.ts';

/** One search criterion: the values are alternatives (OR); criteria combine with AND. */
export interface SearchFilter {
  code: string;
  /** Index definition; undefined for `_id` and `_lastUpdated`, which are columns. */
  param?: SearchParamDefinition;
  modifier?: string;
  values: string[];
}

export interface SortRule {
  code: string;
  param?: SearchParamDefinition;
  descending: boolean;
}

export interface IncludeRule {
  sourceType: string;
  param: SearchParamDefinition;
  targetType?: string;
}

/** Position in a result list: the sort keys and seq of the item a page starts after (or before). */
export interface SearchCursor {
  direction: 'next' | 'previous';
  keys: (string | number)[];
  seq: string;
}

export interface SearchRequest {
  resourceType: string;
  filters: SearchFilter[];
  sort: SortRule[];
  count: number;
  cursor?: SearchCursor;
  include: IncludeRule[];
  revinclude: IncludeRule[];
  total: 'none' | 'accurate';
  summaryCount: boolean;
  /** The query as the client sent it, for the audit trail. */
  queryText?: string;
}

export interface SearchResult<T> {
  resources: T[];
  included: T[];
  total?: number;
  /** Cursor to the page after this one, when there is one. */
  next?: SearchCursor;
  previous?: SearchCursor;
}
