// A webhook receiver on loopback for tests and benchmarks: answers DIMO's verification request with a
// token, records every delivery (raw body, headers, arrival time), and answers deliveries with the
// statuses a test scripts (default 200).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export class Receiver {
  readonly deliveries: Received[] = [];
  verificationToken = 'verify-me';
  /** Statuses for the next deliveries, in order; then `defaultStatus`. */
  script: number[] = [];
  defaultStatus = 200;
  /** The next deliveries to leave unanswered (the sender's timeout or death ends them); kept in `hung`. */
  hang = 0;
  readonly hung: Received[] = [];
  #server: Server | undefined;
  #waiters: Array<{ n: number; resolve: () => void }> = [];
  url = '';

  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (body === '{"verification": "test"}') {
          res.writeHead(200, { 'content-type': 'text/plain' }).end(this.verificationToken);
          return;
        }
        if (this.hang > 0) {
          this.hang--;
          this.hung.push({ headers: req.headers, body, at: performance.now() });
          return;
        }
        this.deliveries.push({ headers: req.headers, body, at: performance.now() });
        res.writeHead(this.script.shift() ?? this.defaultStatus).end();
        this.#waiters = this.#waiters.filter((w) => (this.deliveries.length >= w.n ? (w.resolve(), false) : true));
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address() as { port: number };
    this.url = `http://127.0.0.1:${address.port}/hook`;
    return this;
  }

  /** Resolves once `n` deliveries arrived in total; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs = 5000): Promise<void> {
    if (this.deliveries.length >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.deliveries.length} of ${n} deliveries arrived`)), timeoutMs);
      this.#waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }
}
