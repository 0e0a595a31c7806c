// The OEM emulator for `npm run bench -- connectors`, in its own process so the node's figures are its
// own: a seeded fleet on the system clock (the simulation starts at today's UTC midnight). Tells the
// parent its URLs and accounts over IPC; answers `cpu` with its CPU time; stops on `stop`.
import { startEmulator } from '../../emulator/index.ts';

const [seed = 'opendimo-bench', tesla = '100', smartcar = '100'] = process.argv.slice(2);
const emu = await startEmulator({ seed, fleet: { tesla: Number(tesla), smartcar: Number(smartcar) }, callLogSize: 1_000 });
process.send!({
  kind: 'ready',
  urls: emu.urls,
  accounts: emu.state.fleet.accounts.map((a) => ({ id: a.id, oem: a.oem, vehicles: a.vehicleKeys.length })),
});
process.on('message', (m: unknown) => {
  if (m === 'cpu') process.send!({ kind: 'cpu', usage: process.cpuUsage() });
  if (m === 'stop') void emu.stop().then(() => process.exit(0));
});
