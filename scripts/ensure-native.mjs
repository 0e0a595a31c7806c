// Checks after install that native addons load under the Node pinned in devDependencies, so a broken
// install is reported here, with the fix, rather than as a crash at first start.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const failures = [];
for (const name of ['better-sqlite3', 'secp256k1/bindings']) {
  try {
    const mod = require(name);
    if (name === 'better-sqlite3') new mod(':memory:').close();
    // secp256k1 silently falls back to a slow pure-JS curve when its native binding fails; we need native.
    if (name === 'secp256k1/bindings' && typeof mod.ecdsaRecover !== 'function') throw new Error('native binding missing');
  } catch (err) {
    failures.push(`${name}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
  }
}
if (failures.length > 0) {
  console.error(`opendimo: native modules do not load under Node ${process.version}:\n  ${failures.join('\n  ')}`);
  console.error('Run `npm rebuild` from the project folder, then `npm install` again.');
  process.exit(1);
}
