// The node the query bench measures, in its own process (so the client's work and the node's do not
// share an event loop): a full app-access node on the system clock, an app license with an API key,
// one vehicle shared with privileges 1, 4 and 6, and 30 days of 20-signal events every 10 s stored
// through the vault's write path (append log + compaction), not HTTP, to keep setup time sane.
// Answers the parent over IPC: {type: 'ready', info} once loaded; commands registered in
// child-commands.ts are answered as {type: 'reply', id, result | error}.
import { systemClock } from '../../src/core/clock.ts';
import { startAppNode } from '../../test/apps/support/app-node.ts';
import { COMMANDS } from './child-commands.ts';
import { DAYS, load } from './dataset.ts';

export interface QueryBenchInfo {
  baseUrl: string;
  vehicleId: string;
  /** Vehicle token with privileges 1, 4 and 6. */
  token: string;
  developerToken: string;
  /** First event (hour-aligned) and the end of the 30 days, epoch ms. */
  from: number;
  to: number;
  events: number;
  loadMs: number;
}

const n = await startAppNode({ clock: systemClock, appAccess: { rateLimit: { perSecond: 1_000_000, burst: 1_000_000 } } });
try {
  const { app, alice } = n.chain.actors;
  const lic = await n.appLicense(app);
  const vehicleId = await n.mintVehicle(alice);
  await n.chain.grant(alice, vehicleId, app.address, [1, 4, 6], (await n.chain.now()) + 86_400n);
  await n.mirrored();
  const developerToken = await n.developerToken(lic);
  const token = await n.vehicleToken(developerToken, vehicleId, [1, 4, 6]);
  const hour = 3_600_000;
  const to = Math.floor(Date.now() / hour) * hour;
  const from = to - DAYS * 24 * hour;
  const started = performance.now();
  const events = await load(n, vehicleId, from, to);
  const info: QueryBenchInfo = { baseUrl: n.baseUrl, vehicleId: vehicleId.toString(), token, developerToken, from, to, events, loadMs: performance.now() - started };
  process.send!({ type: 'ready', info });
} catch (err) {
  process.send!({ type: 'failed', error: String((err as Error).stack ?? err) });
  await n.stop();
  process.exit(1);
}

process.on('message', async (msg: { type: string; id?: number; command?: string; args?: unknown }) => {
  if (msg.type === 'stop') {
    await n.stop();
    process.exit(0);
  }
  if (msg.type === 'command') {
    try {
      const handler = COMMANDS.get(msg.command!);
      if (!handler) throw new Error(`unknown command ${msg.command}`);
      process.send!({ type: 'reply', id: msg.id, result: await handler(n, msg.args) });
    } catch (err) {
      process.send!({ type: 'reply', id: msg.id, error: String(err) });
    }
  }
});
