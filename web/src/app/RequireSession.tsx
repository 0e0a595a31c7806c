// Pages for signed-in people: without a session, the sign-in form, then back to where they were.
import type { ReactNode } from 'react';
import { useSession } from '../session/SessionProvider.tsx';
import { Layout } from './Layout.tsx';
import { SignInForms } from '../pages/owner/SignInForms.tsx';

export function RequireSession({ children, why }: { children: ReactNode; why?: string }) {
  const { session } = useSession();
  if (session) return <>{children}</>;
  return (
    <Layout title="Sign in">
      <p className="lead">{why ?? 'Sign in to see this page.'}</p>
      <SignInForms />
    </Layout>
  );
}
