import { Layout } from '../../app/Layout.tsx';
export function LicensingPage() {
  return <Layout title="Licensing"><p>…</p></Layout>;
}
