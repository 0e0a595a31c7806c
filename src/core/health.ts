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
