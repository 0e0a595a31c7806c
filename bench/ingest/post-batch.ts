// The benches' HTTP load: one CloudEvents batch POSTed to a node's /v1/ingest on a keep-alive agent
// (node:http costs the load generator little, and it shares the machine with what it measures).
import { request, type Agent } from 'node:http';

function post(agent: Agent, port: number, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/ingest', method: 'POST', agent, headers: { 'content-type': 'application/cloudevents-batch+json', 'content-length': body.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Posts until the node takes the batch (a 503, its queue full, is retried after 20 ms); returns how many events it stored. */
export async function postBatch(agent: Agent, port: number, body: Buffer): Promise<number> {
  for (;;) {
    const { status, text } = await post(agent, port, body);
    if (status === 503) {
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    if (status !== 200) throw new Error(`ingest answered ${status}: ${text.slice(0, 300)}`);
    return (JSON.parse(text || '{}') as { stored?: number }).stored ?? 0;
  }
}
