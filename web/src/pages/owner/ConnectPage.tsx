// Connecting a car: the owner picks the OEM and logs in on the OEM's own page (OAuth); the OEM sends the
// browser back to /connect/<oem>/callback, where the connection is finished.
import { api } from '../../api/http.ts';
import { Layout } from '../../app/Layout.tsx';
import { Button, useAction } from '../../components/Button.tsx';
import { ErrorBox } from '../../components/Notice.tsx';

const OEMS = [
  { id: 'tesla', name: 'Tesla', text: 'Log in with your Tesla account. Location, battery, charging, odometer, tires and climate are read from the Tesla Fleet API.' },
  { id: 'smartcar', name: 'Other brands (Smartcar)', text: 'Ford, Toyota, BMW, VW, Hyundai, Nissan, Chevrolet… through Smartcar: odometer, battery or fuel, location, tires, locks.' },
];

export function ConnectPage() {
  const [run, busy, error] = useAction();
  const start = (oem: string) =>
    run(async () => {
      const { authorizeUrl } = await api<{ authorizeUrl: string; state: string }>(`/v1/connections/${oem}/authorize`, { method: 'POST', body: {} });
      window.location.assign(authorizeUrl);
    });
  return (
    <Layout title="Connect a car">
      <p>You log in with the car maker; opendimo never sees your password there. Afterwards you sign two short messages that register the car as yours.</p>
      <ErrorBox error={error} />
      <ul className="cards">
        {OEMS.map((o) => (
          <li key={o.id} className="card">
            <h2>{o.name}</h2>
            <p>{o.text}</p>
            <Button type="button" busy={busy} busyLabel="Opening the login…" onClick={() => void start(o.id)}>
              Connect with {o.name.split(' ')[0]}
            </Button>
          </li>
        ))}
      </ul>
    </Layout>
  );
}
