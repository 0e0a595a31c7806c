// Relay-style cursor paging over an already ordered list, with opaque cursors.
import mercurius from 'mercurius';

export const MAX_PAGE = 100;
const DEFAULT_PAGE = 20;

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface Page<T> {
  totalCount: number;
  edges: { node: T; cursor: string }[];
  nodes: T[];
  pageInfo: { startCursor: string | null; endCursor: string | null; hasPreviousPage: boolean; hasNextPage: boolean };
}

export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw invalid('a cursor must come from an earlier page');
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

export function invalid(message: string): Error {
  return new mercurius.ErrorWithProps(message, { code: 'ODM_ERR_VALIDATION' }, 400);
}

/** `items` in display order; `keyOf` gives each item's stable cursor key. */
export function paginate<T>(items: readonly T[], keyOf: (item: T) => string, args: PageArgs): Page<T> {
  if (args.first != null && args.last != null) throw invalid('first and last are mutually exclusive');
  for (const n of [args.first, args.last]) if (n != null && (n < 0 || n > MAX_PAGE)) throw invalid(`page size must be 0–${MAX_PAGE}`);
  const indexOf = (cursor: string): number => {
    const key = decodeCursor(cursor);
    const at = items.findIndex((item) => keyOf(item) === key);
    if (at < 0) throw invalid('the cursor does not point into this list');
    return at;
  };
  let start = args.after != null ? indexOf(args.after) + 1 : 0;
  let end = args.before != null ? indexOf(args.before) : items.length;
  if (end < start) end = start;
  if (args.last != null) start = Math.max(start, end - args.last);
  else end = Math.min(end, start + (args.first ?? DEFAULT_PAGE));
  const slice = items.slice(start, end);
  const edges = slice.map((node) => ({ node, cursor: encodeCursor(keyOf(node)) }));
  return {
    totalCount: items.length,
    edges,
    nodes: slice,
    pageInfo: {
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
      hasPreviousPage: start > 0,
      hasNextPage: end < items.length,
    },
  };
}
