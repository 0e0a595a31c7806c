// Worker thread for the live benchmark's driver: signs events for one device before measuring starts.
import { parentPort } from 'node:worker_threads';
import { signedEvent, twentySignals, type TestDevice } from '../../src/ingest/testing.ts';

export interface LiveSignJob {
  privateKey: string;
  subject: string;
  producer: string;
  seed: number;
  /** Event id and epoch-ms time of each event. */
  items: Array<{ id: string; time: number }>;
}

parentPort!.on('message', (job: LiveSignJob) => {
  const device: TestDevice = { privateKey: Buffer.from(job.privateKey.slice(2), 'hex'), address: '', deviceTokenId: 0n, vehicleTokenId: 0n, owner: '' };
  const out: string[] = [];
  for (const it of job.items) {
    const time = new Date(it.time).toISOString();
    out.push(signedEvent(device, { id: it.id, time, subject: job.subject, producer: job.producer, data: twentySignals(time, job.seed) }));
  }
  parentPort!.postMessage(out);
});
