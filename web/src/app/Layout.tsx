// The frame of every page: a skip link, the header with navigation (collapsible on phones), and the
// main region, which takes focus when the page changes so keyboard and screen-reader users land on it.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { shortAddress } from './format.ts';
import { Link } from './Link.tsx';
import { useLocation } from './router.ts';
import { useSession } from '../session/SessionProvider.tsx';

const OWNER_NAV = [
  { href: '/vehicles', title: 'Vehicles' },
  { href: '/access', title: 'App access' },
  { href: '/activity', title: 'Activity' },
  { href: '/earnings', title: 'Earnings' },
  { href: '/account', title: 'Data & account' },
];
const WORK_NAV = [
  { href: '/developer', title: 'Developers' },
  { href: '/licensing', title: 'Licensing' },
];

export function Layout({ title, children }: { title: string; children: ReactNode }) {
  const { session, signOut } = useSession();
  const { path } = useLocation();
  const [open, setOpen] = useState(false);
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    document.title = `${title} · opendimo`;
    setOpen(false);
    main.current?.focus({ preventScroll: true });
  }, [title, path]);

  const item = (n: { href: string; title: string }) => {
    const current = path === n.href || path.startsWith(`${n.href}/`);
    return (
      <li key={n.href}>
        <Link href={n.href} aria-current={current ? 'page' : undefined}>
          {n.title}
        </Link>
      </li>
    );
  };

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link href="/" className="brand">
          opendimo
        </Link>
        <button type="button" className="menu-toggle" aria-expanded={open} aria-controls="site-nav" onClick={() => setOpen(!open)}>
          Menu
        </button>
        <nav id="site-nav" aria-label="Main" className={open ? 'open' : ''}>
          {session ? <ul className="nav-owner">{OWNER_NAV.map(item)}</ul> : null}
          <ul className="nav-work">{WORK_NAV.map(item)}</ul>
          <div className="who">
            {session ? (
              <>
                <span title={session.address} aria-label={`Signed in as ${session.address}`}>
                  {session.email ?? shortAddress(session.address)}
                </span>
                <button type="button" className="btn btn-quiet" onClick={signOut}>
                  Sign out
                </button>
              </>
            ) : (
              <Link href="/signin">Sign in</Link>
            )}
          </div>
        </nav>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <h1>{title}</h1>
        {children}
      </main>
    </>
  );
}
