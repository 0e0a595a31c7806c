// Device topics: a device publishes its CloudEvents on `devices/<its address>/status` (the topic names
// the device, as DIMO's MQTT ingest does), QoS 1.
export const DEVICE_TOPIC_FILTER = 'devices/+/status';
const DEVICE_TOPIC = /^devices\/(0x[0-9a-fA-F]{40})\/status$/;

/** The lowercase device address a topic names, or undefined when it is not a device topic. */
export function deviceAddressOf(topic: string): string | undefined {
  return DEVICE_TOPIC.exec(topic)?.[1]?.toLowerCase();
}

/** Whether a subscription filter could receive some device's topic (so it would see raw payloads). */
export function couldMatchDeviceTopic(filter: string): boolean {
  const f = filter.split('/');
  const levels = [(x: string) => x === 'devices', (x: string) => /^0x[0-9a-fA-F]{40}$/.test(x), (x: string) => x === 'status'];
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= levels.length) return false;
    if (f[i] !== '+' && !levels[i]!(f[i]!)) return false;
  }
  return f.length === levels.length;
}
