// The shape every component reports to GET /health.
export interface HealthCheck {
  ok: boolean;
  detail: string;
}

export type HealthProbe = () => Promise<HealthCheck>;

/** Runs a probe with a deadline so one hung component cannot hang /health. */
export async function runProbe(probe: HealthProbe, timeoutMs = 2000): Promise<HealthCheck> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthCheck>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  try {
    return await Promise.race([
      probe().catch((err: unknown) => ({ ok: false, detail: err instanceof Error ? err.message : String(err) })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  checks: Record<string, HealthCheck>;
}

/**
 * The components the node reports on. A component is named before it starts (so /health shows it as
 * "starting" rather than leaving it out) and gets its real probe once it is up.
 */
export class HealthRegistry {
  readonly #probes = new Map<string, HealthProbe>();
  #ready: boolean;

  /** `ready: false` keeps the status degraded until markReady(), whatever the probes say. */
  constructor(options: { ready?: boolean } = {}) {
    this.#ready = options.ready ?? true;
  }

  markReady(): void {
    this.#ready = true;
  }

  expect(name: string, detail = 'starting'): void {
    if (!this.#probes.has(name)) this.#probes.set(name, async () => ({ ok: false, detail }));
  }

  set(name: string, probe: HealthProbe): void {
    this.#probes.set(name, probe);
  }

  has(name: string): boolean {
    return this.#probes.has(name);
  }

  /** Every check; the status counts only `only` when given (e.g. an ingest process that stores while the bus is down). */
  async report(timeoutMs = 2000, only?: ReadonlySet<string>): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.#probes].map(async ([name, probe]) => [name, await runProbe(probe, timeoutMs)] as const),
    );
    const checks = Object.fromEntries(entries);
    const counted = only ? entries.filter(([name]) => only.has(name)) : entries;
    return { status: this.#ready && counted.every(([, c]) => c.ok) ? 'ok' : 'degraded', checks };
  }
}
