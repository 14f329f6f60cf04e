/** The app: signed-out pages, or the shell with the page the path names. */
import { Suspense, lazy, useEffect, useRef, useState } from 'react';
import { onSignedOut } from '../api/client.js';
import { LoginPage } from '../pages/LoginPage.js';
import { ToastProvider } from '../ui/Toasts.js';
import { signedInModules } from './lazy.js';
import { matchPath, navigate, useLocation } from './router.js';
import { SessionProvider, useSession } from './session.js';

// The signed-in frame and the boards are a chunk of their own, so the login page loads only what it
// needs (boot.ts starts fetching them at once for a signed-in visitor, so they cost no extra wait).
const Shell = lazy(() => signedInModules.shell().then((m) => ({ default: m.Shell })));
const BoardPage = lazy(() => signedInModules.board().then((m) => ({ default: m.BoardPage })));
const KeyedBoardPage = lazy(() => signedInModules.board().then((m) => ({ default: m.KeyedBoardPage })));
const BoardsPage = lazy(() => signedInModules.boards().then((m) => ({ default: m.BoardsPage })));
const NotFoundPage = lazy(() => import('../pages/NotFoundPage.js').then((m) => ({ default: m.NotFoundPage })));
// Pages away from the boards load on first use, so opening a board compiles less script.
const ConsentPage = lazy(() => import('../pages/ConsentPage.js').then((m) => ({ default: m.ConsentPage })));
const AccountPage = lazy(() => import('../pages/AccountPage.js').then((m) => ({ default: m.AccountPage })));
const InboxPage = lazy(() => import('../pages/InboxPage.js').then((m) => ({ default: m.InboxPage })));
const IntegrationsPage = lazy(() => import('../pages/IntegrationsPage.js').then((m) => ({ default: m.IntegrationsPage })));
const InvitePage = lazy(() => import('../pages/InvitePage.js').then((m) => ({ default: m.InvitePage })));
const MembersPage = lazy(() => import('../pages/MembersPage.js').then((m) => ({ default: m.MembersPage })));
const ResetPasswordPage = lazy(() => import('../pages/ResetPasswordPage.js').then((m) => ({ default: m.ResetPasswordPage })));
const SetupPage = lazy(() => import('../pages/SetupPage.js').then((m) => ({ default: m.SetupPage })));
const TrashPage = lazy(() => import('../pages/TrashPage.js').then((m) => ({ default: m.TrashPage })));

/** Goes elsewhere once rendered (navigation is a side effect, so not during render). */
function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to.startsWith('/') && !to.startsWith('//') ? to : '/', { replace: true }), [to]);
  return null;
}

function Pages() {
  const { path, query } = useLocation();
  const { token, refresh } = useSession();
  const [notice, setNotice] = useState<string>();

  // Each page after the first starts from the caller as the server knows it now (a role may have
  // changed); the first is covered by the session's own read.
  const firstPath = useRef(path);
  useEffect(() => {
    if (token && path !== firstPath.current) {
      firstPath.current = '';
      refresh();
    }
  }, [path, token, refresh]);

  useEffect(
    () =>
      onSignedOut(() => {
        setNotice('Your session ended. Sign in again to continue.');
        const here = window.location.pathname + window.location.search;
        navigate(`/login${here !== '/' ? `?next=${encodeURIComponent(here)}` : ''}`, { replace: true });
      }),
    [],
  );

  if (path === '/setup' || path === '/invite' || path === '/reset-password') {
    return <Suspense fallback={null}>{path === '/setup' ? <SetupPage /> : path === '/invite' ? <InvitePage /> : <ResetPasswordPage />}</Suspense>;
  }
  // Signed out, any page comes back after sign-in with its query (the consent page's request id).
  const search = query.toString();
  const here = search ? `${path}?${search}` : path;
  if (!token) return <LoginPage next={query.get('next') ?? (path !== '/login' ? here : undefined)} notice={notice} />;
  if (path === '/login') return <Redirect to={query.get('next') ?? '/'} />;
  if (path === '/oauth/consent') {
    return (
      <Suspense fallback={null}>
        <ConsentPage requestId={query.get('request') ?? ''} />
      </Suspense>
    );
  }

  const board = matchPath('/boards/:id', path);
  // Board keys in the address (issue 12): /b/WEB, and /b/WEB/WEB-42 with that card open.
  const keyed = matchPath('/b/:key', path) ?? matchPath('/b/:key/:card', path);
  let page;
  if (path === '/') page = <BoardsPage />;
  else if (board) page = <BoardPage key={board.id} boardId={board.id} />;
  else if (path === '/inbox') page = <InboxPage />;
  else if (keyed) page = <KeyedBoardPage key={keyed.key} boardKey={keyed.key} cardKey={keyed.card} />;
  else if (path === '/trash') page = <TrashPage />;
  else if (path === '/integrations') page = <IntegrationsPage />;
  else if (path === '/members') page = <MembersPage />;
  else if (path === '/account') page = <AccountPage />;
  else page = <NotFoundPage />;
  return (
    <Suspense fallback={null}>
      <Shell>
        <Suspense fallback={<div className="page loading">Loading…</div>}>{page}</Suspense>
      </Shell>
    </Suspense>
  );
}

export function App() {
  return (
    <SessionProvider>
      <ToastProvider>
        <Pages />
      </ToastProvider>
    </SessionProvider>
  );
}
