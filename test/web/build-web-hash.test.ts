// The dashboard is rebuilt at start when its sources changed: those under web/ and the node modules it
// imports (the EIP-712 types), which Vite bundles into it too.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
// @ts-expect-error: a plain .mjs script without type declarations
import { sourcesHash } from '../../scripts/build-web.mjs';

test('the sources hash covers web/ and the node files its code imports, and nothing else', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'odm-web-hash-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const web = join(root, 'web');
  mkdirSync(join(web, 'src'), { recursive: true });
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'shared.ts'), 'export const A = 1;\n');
  writeFileSync(join(root, 'src', 'unrelated.ts'), 'export const B = 1;\n');
  writeFileSync(join(web, 'src', 'main.tsx'), "import { A } from '../../src/shared.ts';\nconsole.log(A);\n");
  const hash = (sourcesHash as (dir: string) => string);

  const first = hash(web);
  writeFileSync(join(root, 'src', 'unrelated.ts'), 'export const B = 2;\n');
  assert.equal(hash(web), first, 'a node file the dashboard does not import does not count');
  writeFileSync(join(root, 'src', 'shared.ts'), 'export const A = 2;\n');
  const second = hash(web);
  assert.notEqual(second, first, 'an imported node file counts');
  writeFileSync(join(web, 'src', 'main.tsx'), "import { A } from '../../src/shared.ts';\nconsole.log(A + 1);\n");
  assert.notEqual(hash(web), second, 'a web source counts');
});
