// Turns the configured database URL into a concrete target, and masks URLs for logs and errors
// (a PostgreSQL URL may carry a password, which is a secret).
import { isAbsolute, resolve } from 'node:path';
import { OdmError } from '../core/errors.ts';

export const SQLITE_FILE_NAME = 'opendimo.db';

export type DatabaseTarget =
  | { kind: 'sqlite'; /** absolute file path, or ':memory:' */ path: string }
  | { kind: 'postgres'; url: string };

/**
 * No URL, `sqlite:`/`file:` or a bare path → SQLite; `postgres://` / `postgresql://` → PostgreSQL.
 * SQLite forms: `sqlite:` (default file), `sqlite:/abs/file.db`, `sqlite:///abs/file.db`,
 * `sqlite:rel.db` or a bare relative path (relative to dataDir), `sqlite::memory:` / `:memory:`.
 */
export function resolveDatabaseUrl(databaseUrl: string | undefined, dataDir: string): DatabaseTarget {
  const raw = databaseUrl?.trim() ?? '';
  if (raw === '') return { kind: 'sqlite', path: resolve(dataDir, SQLITE_FILE_NAME) };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(raw)?.[1]?.toLowerCase();
  // A one-letter "scheme" is a Windows drive letter: treat it as a path.
  if (scheme === undefined || scheme.length === 1) return sqliteTarget(raw, dataDir);
  if (scheme === 'sqlite' || scheme === 'file') {
    let rest = raw.slice(scheme.length + 1);
    if (rest.startsWith('//')) rest = rest.slice(2);
    return sqliteTarget(rest === '' ? SQLITE_FILE_NAME : rest, dataDir);
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    try {
      new URL(raw);
    } catch {
      // No cause attached: Node's URL error carries the input, password included.
      throw new OdmError(
        'ODM_ERR_CONFIG_INVALID',
        `the ${scheme}: database URL is not a valid URL (percent-encode special characters in the user name and password)`,
        { details: { scheme } },
      );
    }
    return { kind: 'postgres', url: raw };
  }
  throw new OdmError(
    'ODM_ERR_CONFIG_INVALID',
    `unsupported database URL scheme "${scheme}:" (use postgres://…, postgresql://…, sqlite:<path>, or leave it unset for SQLite in the data dir)`,
    { details: { scheme } },
  );
}

function sqliteTarget(path: string, dataDir: string): DatabaseTarget {
  if (path === ':memory:') return { kind: 'sqlite', path };
  return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(dataDir, path) };
}

/** The URL with any password (userinfo or `password=` parameter) replaced by `***`. */
export function maskDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString().replace('%2A%2A%2A', '***');
  } catch {
    return url.replace(/(\/\/[^/@:]*:)[^@]*@/, '$1***@').replace(/(password=)[^&]*/gi, '$1***');
  }
}

/** `text` with the URL's password (3+ characters) replaced by `***`: no driver message should carry it, but never pass one on if it does. */
export function scrubPassword(text: string, url: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    // unparsable URLs are rejected before a connection is tried
  }
  return password.length >= 3 ? text.split(password).join('***') : text;
}
