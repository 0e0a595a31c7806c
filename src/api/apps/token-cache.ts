// Verified tokens by their exact text, so a hot client's repeated requests skip the signature check.
// Entries hold only what verification returned and die with the token's `exp`; the map is bounded.
export class TokenCache {
  readonly #max: number;
  readonly #map = new Map<string, { claims: unknown; expMs: number }>();

  constructor(max = 10_000) {
    this.#max = max;
  }

  get<T>(token: string, now: number): T | undefined {
    const hit = this.#map.get(token);
    if (!hit) return undefined;
    if (hit.expMs <= now) {
      this.#map.delete(token);
      return undefined;
    }
    return hit.claims as T;
  }

  set(token: string, claims: unknown, expMs: number): void {
    if (this.#map.size >= this.#max) {
      const oldest = this.#map.keys().next().value;
      if (oldest !== undefined) this.#map.delete(oldest);
    }
    this.#map.set(token, { claims, expMs });
  }
}
