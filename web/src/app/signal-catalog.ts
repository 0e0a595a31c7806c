// The node's signal catalogue (names, units), loaded once, for labels and chart units.
import { api } from '../api/http.ts';
import type { SignalDef } from '../api/types.ts';

let cached: Promise<Map<string, SignalDef>> | undefined;

export function signalCatalog(): Promise<Map<string, SignalDef>> {
  cached ??= api<{ signals: SignalDef[] }>('/v1/owner/signal-catalog', { token: null }).then(
    (r) => new Map(r.signals.map((s) => [s.name, s])),
    () => {
      cached = undefined;
      return new Map<string, SignalDef>();
    },
  );
  return cached;
}

/** Signals an owner most wants at a glance, in order, when the vehicle reports them. */
export const HEADLINE_SIGNALS = [
  'speed',
  'powertrainTractionBatteryStateOfChargeCurrent',
  'powertrainFuelSystemRelativeLevel',
  'powertrainRange',
  'powertrainTransmissionTravelledDistance',
  'exteriorAirTemperature',
];
