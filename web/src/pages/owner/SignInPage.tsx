import { Layout } from '../../app/Layout.tsx';
import { navigate, useLocation } from '../../app/router.ts';
import { SignInForms } from './SignInForms.tsx';

export function SignInPage() {
  const { query } = useLocation();
  const next = query.get('next');
  const go = () => navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/vehicles', { replace: true });
  return (
    <Layout title="Sign in to opendimo">
      <p className="lead">Your car's data, encrypted on this node, shared only with the apps you approve — and you can see every access.</p>
      <SignInForms onDone={go} />
    </Layout>
  );
}
