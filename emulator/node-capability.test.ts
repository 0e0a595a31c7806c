import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HealthRegistry } from '../src/core/health.ts';
import { silentLogger } from '../src/core/logger.ts';
import type { NodeServices } from '../src/node/start-node.ts';
import { emulatorCapability } from './node-capability.ts';

function services(mode: 'dev' | 'node'): { services: NodeServices; health: HealthRegistry } {
  const health = new HealthRegistry();
  // The capability reads only these services.
  return { services: { config: { mode }, logger: silentLogger(), health } as unknown as NodeServices, health };
}

test('the emulator starts with `npm start` (dev mode) and reports its health', async () => {
  const { services: dev, health } = services('dev');
  const running = await emulatorCapability.start!(dev);
  assert.ok(running);
  try {
    const report = await health.report();
    assert.equal(report.checks.emulator?.ok, true);
    assert.match(report.checks.emulator!.detail, /OEM emulator at http:\/\/127\.0\.0\.1:\d+\/_emulator/);
  } finally {
    await running.stop();
  }
  const after = await health.report();
  assert.equal(after.checks.emulator?.ok, false, 'stopped emulator is reported down');
});

test('a production node does not start the emulator', async () => {
  const { services: prod, health } = services('node');
  assert.equal(await emulatorCapability.start!(prod), undefined);
  assert.equal((await health.report()).checks.emulator, undefined);
});
