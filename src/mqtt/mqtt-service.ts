import type { HealthProbe } from '../core/health.ts';

/** What the node needs of a broker, embedded or external. */
export interface MqttService {
  kind: 'embedded' | 'external';
  /** URL devices and the node's own client connect to. */
  url: string;
  probe: HealthProbe;
  stop(): Promise<void>;
}
