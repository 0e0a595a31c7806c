import assert from 'node:assert/strict';
import { readdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { OdmError } from '../core/errors.ts';
import { silentLogger } from '../core/logger.ts';
import { pruneCache } from './compile-cache.ts';
import { compileContracts, compileContractsDetailed, getArtifact } from './compile.ts';
import { makeTempDir, TEST_CACHE_DIR, tokenOnlyArtifacts } from './testing.ts';

const logger = silentLogger();
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups) await c();
});

async function tempDir(prefix: string): Promise<string> {
  const { dir, cleanup } = await makeTempDir(prefix);
  cleanups.push(cleanup);
  return dir;
}

// Tiny contracts without imports keep the uncached compiles here fast.
const LIB = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
library Numbers { function twice(uint256 x) internal pure returns (uint256) { return x * 2; } }
`;
const COUNTER = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
import {Numbers} from "./Numbers.sol";
contract Counter { uint256 public count; function bump() external { count = Numbers.twice(count + 1); } }
`;

describe('compileContracts', () => {
  test('compiles DimoToken with OpenZeppelin imports into ABI and bytecode', async () => {
    const artifacts = await tokenOnlyArtifacts(logger);
    const token = getArtifact(artifacts, 'DimoToken');
    assert.equal(token.sourceName, 'contracts/DimoToken.sol');
    assert.match(token.bytecode, /^0x[0-9a-f]{1000,}$/);
    assert.match(token.deployedBytecode, /^0x[0-9a-f]{1000,}$/);
    const fns = token.abi.filter((x) => x.type === 'function').map((x) => x.name);
    for (const name of ['mint', 'burn', 'permit', 'delegate', 'getVotes', 'clock', 'CLOCK_MODE', 'grantRole', 'MINTER_ROLE', 'nonces']) {
      assert.ok(fns.includes(name), `ABI has ${name}`);
    }
    // Only our own sources produce artifacts, not every OpenZeppelin contract compiled along.
    assert.deepEqual(Object.keys(artifacts), ['DimoToken']);
  });

  test('the repository contracts compile and include DimoToken', async () => {
    const artifacts = await compileContracts({ logger, cacheDir: TEST_CACHE_DIR });
    assert.ok(getArtifact(artifacts, 'DimoToken').bytecode.length > 2);
  });

  test('unchanged sources come from the cache without running solc; any source change recompiles', async () => {
    const src = await tempDir('cache-src');
    const cacheDir = await tempDir('cache');
    await writeFile(join(src, 'Numbers.sol'), LIB);
    await writeFile(join(src, 'Counter.sol'), COUNTER);

    const cold = await compileContractsDetailed({ logger, contractsDir: src, cacheDir });
    assert.equal(cold.fromCache, false);
    const t0 = performance.now();
    const warm = await compileContractsDetailed({ logger, contractsDir: src, cacheDir });
    const warmMs = performance.now() - t0;
    assert.equal(warm.fromCache, true);
    assert.ok(warmMs < 200, `cache hit took ${warmMs} ms`);
    assert.deepEqual(warm.artifacts, cold.artifacts);
    assert.deepEqual(Object.keys(warm.artifacts).sort(), ['Counter', 'Numbers']);

    // Only a comment changes in a library: still a different build.
    await writeFile(join(src, 'Numbers.sol'), `${LIB}// changed\n`);
    const changed = await compileContractsDetailed({ logger, contractsDir: src, cacheDir });
    assert.equal(changed.fromCache, false);
    assert.notEqual(changed.cacheFile, cold.cacheFile);
    assert.ok((await readdir(cacheDir)).every((f) => !f.endsWith('.lock')), 'lock released');

    // Pruning keeps the most recently used entries.
    await pruneCache(cacheDir, 1);
    assert.deepEqual(await readdir(cacheDir), [basename(changed.cacheFile)]);
  });

  test('concurrent compiles of the same sources run solc once', async () => {
    const src = await tempDir('lock-src');
    const cacheDir = await tempDir('lock-cache');
    await writeFile(join(src, 'Numbers.sol'), `${LIB}// concurrent\n`);
    const results = await Promise.all([1, 2].map(() => compileContractsDetailed({ logger, contractsDir: src, cacheDir })));
    assert.deepEqual(results.map((r) => r.fromCache).sort(), [false, true]);
  });

  test('a contract too deep for the legacy pipeline is compiled with viaIR', async () => {
    const src = await tempDir('deep-src');
    const params = Array.from({ length: 18 }, (_, i) => `uint256 a${i}`).join(', ');
    const sum = Array.from({ length: 18 }, (_, i) => `a${i}`).join(' + ');
    await writeFile(join(src, 'Deep.sol'), `pragma solidity ^0.8.24;\ncontract Deep { function f(${params}) external pure returns (uint256) { return ${sum}; } }\n`);
    const result = await compileContractsDetailed({ logger, contractsDir: src, cacheDir: TEST_CACHE_DIR });
    assert.equal(result.viaIR, true);
    assert.ok(getArtifact(result.artifacts, 'Deep').bytecode.length > 2);
  });

  test('a syntax error fails with ODM_ERR_CONTRACT_COMPILE and solc’s messages', async () => {
    const src = await tempDir('bad-src');
    await writeFile(join(src, 'Broken.sol'), 'pragma solidity ^0.8.24;\ncontract Broken { function f() public { uint x = ; } }\n');
    await assert.rejects(compileContracts({ logger, contractsDir: src, cacheDir: TEST_CACHE_DIR }), (err: unknown) => {
      assert.ok(err instanceof OdmError);
      assert.equal(err.code, 'ODM_ERR_CONTRACT_COMPILE');
      const errors = err.details.errors as string[];
      assert.ok(errors.length > 0);
      assert.match(errors.join('\n'), /Broken\.sol/);
      return true;
    });
  });

  test('a missing import fails with ODM_ERR_CONTRACT_COMPILE', async () => {
    const src = await tempDir('missing-src');
    await writeFile(join(src, 'Lonely.sol'), 'pragma solidity ^0.8.24;\nimport "@nowhere/Nothing.sol";\ncontract Lonely {}\n');
    await assert.rejects(compileContracts({ logger, contractsDir: src, cacheDir: TEST_CACHE_DIR }), (err: unknown) => {
      assert.ok(err instanceof OdmError);
      assert.equal(err.code, 'ODM_ERR_CONTRACT_COMPILE');
      assert.match((err.details.errors as string[]).join('\n'), /Nothing\.sol/);
      return true;
    });
  });

  test('a missing contracts folder fails with ODM_ERR_CONTRACT_COMPILE', async () => {
    await assert.rejects(
      compileContracts({ logger, contractsDir: '/nonexistent/opendimo-contracts', cacheDir: TEST_CACHE_DIR }),
      (err: unknown) => err instanceof OdmError && err.code === 'ODM_ERR_CONTRACT_COMPILE',
    );
  });

  test('getArtifact names what exists when the contract is missing', () => {
    assert.throws(() => getArtifact({}, 'Nope'), (err: unknown) => {
      assert.ok(err instanceof OdmError);
      assert.equal(err.code, 'ODM_ERR_CONTRACT_ARTIFACT_MISSING');
      assert.match(err.message, /Nope/);
      return true;
    });
  });
});
