// The route table: owner pages (signed in), the consent page, and the developer and licensing consoles.
import { lazy, Suspense, useEffect, type ReactNode } from 'react';
import { Layout } from './Layout.tsx';
import { Link } from './Link.tsx';
import { RequireSession } from './RequireSession.tsx';
import { match, navigate, useLocation } from './router.ts';
import { useSession } from '../session/SessionProvider.tsx';
import { Loading } from '../components/Notice.tsx';
import { SignInPage } from '../pages/owner/SignInPage.tsx';
import { VehiclesPage } from '../pages/owner/VehiclesPage.tsx';
import { ConnectPage } from '../pages/owner/ConnectPage.tsx';
import { ConnectCallbackPage } from '../pages/owner/ConnectCallbackPage.tsx';
import { VehiclePage } from '../pages/owner/vehicle/VehiclePage.tsx';
import { ConsentPage } from '../pages/owner/ConsentPage.tsx';
import { AccessPage } from '../pages/owner/AccessPage.tsx';
import { ActivityPage } from '../pages/owner/ActivityPage.tsx';
import { AccountPage } from '../pages/owner/AccountPage.tsx';
import { EarningsPage } from '../pages/owner/EarningsPage.tsx';

// The consoles are for fewer people: loaded on demand.
const DeveloperPage = lazy(() => import('../pages/developer/DeveloperPage.tsx').then((m) => ({ default: m.DeveloperPage })));
const LicensingPage = lazy(() => import('../pages/licensing/LicensingPage.tsx').then((m) => ({ default: m.LicensingPage })));

function Home() {
  const { session } = useSession();
  useEffect(() => {
    if (session) navigate('/vehicles', { replace: true });
  }, [session]);
  return session ? null : <SignInPage />;
}

function NotFound() {
  return (
    <Layout title="Page not found">
      <p>
        There is nothing at this address. <Link href="/">Go to the start</Link>.
      </p>
    </Layout>
  );
}

function owner(page: ReactNode, why?: string) {
  return <RequireSession {...(why ? { why } : {})}>{page}</RequireSession>;
}

export function App() {
  const { path } = useLocation();
  let m: Record<string, string> | undefined;
  if (path === '/' || path === '') return <Home />;
  if (path === '/signin') return <SignInPage />;
  if (path === '/vehicles') return owner(<VehiclesPage />);
  if (path === '/vehicles/connect') return owner(<ConnectPage />);
  if ((m = match('/connect/:oem/callback', path))) return owner(<ConnectCallbackPage oem={m.oem!} />, 'Sign in again to finish connecting your car (the login with the car maker stays valid for 10 minutes).');
  if ((m = match('/vehicles/:id', path))) return owner(<VehiclePage key={m.id} id={m.id!} />);
  if (path === '/consent') return owner(<ConsentPage />, "An app asks for access to your car's data. Sign in to review its request.");
  if (path === '/access') return owner(<AccessPage />);
  if (path === '/activity') return owner(<ActivityPage />);
  if (path === '/account') return owner(<AccountPage />);
  if (path === '/earnings') return owner(<EarningsPage />);
  if (path === '/developer' || path === '/licensing') {
    const Page = path === '/developer' ? DeveloperPage : LicensingPage;
    return owner(
      <Suspense fallback={<Loading what="Loading the console" />}>
        <Page />
      </Suspense>,
      path === '/developer' ? 'Sign in with the address that holds (or will hold) your license.' : 'Sign in as a member of the licensing team.',
    );
  }
  return <NotFound />;
}
