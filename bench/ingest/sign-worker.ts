// Worker thread for the ingest benchmark's driver: derives device keys and signs events in parallel,
// before any measurement starts.
import { parentPort } from 'node:worker_threads';
import { deviceKey, makeDevice, signedEvent, twentySignals, type TestDevice } from '../../src/ingest/testing.ts';

export type SignJob =
  | { kind: 'addresses'; from: number; to: number }
  | { kind: 'events'; items: Array<{ device: number; id: string }>; time: string };

parentPort!.on('message', (job: SignJob) => {
  if (job.kind === 'addresses') {
    const out: string[] = [];
    for (let i = job.from; i < job.to; i++) out.push(makeDevice('bench', i).address);
    parentPort!.postMessage(out);
    return;
  }
  const out: string[] = [];
  for (const it of job.items) {
    // Signing needs only the key; the token ids follow the device number (as ingest-node.ts registers them).
    const id = BigInt(it.device + 1);
    const d: TestDevice = { privateKey: deviceKey('bench', it.device), address: '', deviceTokenId: id, vehicleTokenId: id, owner: '' };
    out.push(signedEvent(d, { id: it.id, time: job.time, data: twentySignals(job.time, it.device) }));
  }
  parentPort!.postMessage(out);
});
