// Worker thread: scans documents for each event's data and signature, hashes the data bytes and
// recovers the signer. It handles the events whose index ≡ phase (mod stride), so one large batch can
// be spread over every worker without the main thread having to split it first.
import { parentPort } from 'node:worker_threads';
import { scanDocument, SCAN_OK, type ScannedEvent } from '../envelope/json-scan.ts';
import { createKeccak } from './keccak-wasm.ts';
import { parseSignature, recoverInto } from './recover.ts';
import { DATA_BASE64_INVALID, NOT_MINE, SIG_INVALID, SIG_MALFORMED, VERIFIED } from './verify-codes.ts';

export interface VerifyJob {
  id: number;
  /** Transferred to the worker and back with the reply, so the main thread can reuse it. */
  buf: ArrayBuffer;
  /** [start, end) byte offsets of each document in buf. */
  docs: Uint32Array;
  stride: number;
  phase: number;
}

export interface VerifyReply {
  id: number;
  buf: ArrayBuffer;
  /** Events per document; UNSCANNABLE when the document could not be scanned. */
  docEvents: Uint32Array;
  status: Uint8Array;
  /** 20 bytes per event, valid where status is VERIFIED. */
  signers: Uint8Array;
  /** [start, end) of each event's element, relative to its document (every worker fills in all). */
  spans: Uint32Array;
}

export const UNSCANNABLE = 0xffffffff;

const keccak = createKeccak();
const sig = new Uint8Array(65);

function handle(job: VerifyJob): VerifyReply {
  const bytes = new Uint8Array(job.buf);
  const nDocs = job.docs.length / 2;
  const docEvents = new Uint32Array(nDocs);
  let status = new Uint8Array(Math.max(16, nDocs));
  let signers = new Uint8Array(status.length * 20);
  let spans = new Uint32Array(status.length * 2);
  let n = 0;
  let docStart = 0;
  const verifyOne = (ev: ScannedEvent) => {
    if (n === status.length) {
      const s = new Uint8Array(n * 2);
      s.set(status);
      status = s;
      const a = new Uint8Array(n * 40);
      a.set(signers);
      signers = a;
      const p = new Uint32Array(n * 4);
      p.set(spans);
      spans = p;
    }
    const index = n++;
    spans[2 * index] = ev.start - docStart;
    spans[2 * index + 1] = ev.end - docStart;
    if (index % job.stride !== job.phase) {
      status[index] = NOT_MINE;
      return;
    }
    if (ev.status !== SCAN_OK) {
      status[index] = ev.status;
      return;
    }
    const recid = parseSignature(bytes, ev.sigStart, ev.sigEnd, sig);
    if (recid < 0) {
      status[index] = SIG_MALFORMED;
      return;
    }
    let data: Uint8Array = bytes.subarray(ev.dataStart, ev.dataEnd);
    if (ev.base64) {
      const text = Buffer.from(job.buf, ev.dataStart, ev.dataEnd - ev.dataStart).toString('latin1');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
        status[index] = DATA_BASE64_INVALID;
        return;
      }
      data = Buffer.from(text, 'base64');
    }
    status[index] = recoverInto(keccak, data, sig, recid, signers, index * 20) ? VERIFIED : SIG_INVALID;
  };
  for (let d = 0; d < nDocs; d++) {
    const before = n;
    docStart = job.docs[2 * d]!;
    const ok = scanDocument(bytes, docStart, job.docs[2 * d + 1]!, verifyOne);
    docEvents[d] = ok ? n - before : UNSCANNABLE;
  }
  return { id: job.id, buf: job.buf, docEvents, status: status.slice(0, n), signers: signers.slice(0, n * 20), spans: spans.slice(0, n * 2) };
}

parentPort?.on('message', (job: VerifyJob) => {
  const reply = handle(job);
  parentPort!.postMessage(reply, [reply.buf, reply.docEvents.buffer as ArrayBuffer, reply.status.buffer as ArrayBuffer, reply.signers.buffer as ArrayBuffer, reply.spans.buffer as ArrayBuffer]);
});
