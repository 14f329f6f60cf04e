/** The app: signed-out pages, or the shell with the page the path names. */
import { useEffect, useState } from 'react';
import { onSignedOut } from '../api/client.js';
import { AccountPage } from '../pages/AccountPage.js';
import { BoardPage } from '../pages/BoardPage.js';
import { BoardsPage } from '../pages/BoardsPage.js';
import { IntegrationsPage } from '../pages/IntegrationsPage.js';
import { InvitePage } from '../pages/InvitePage.js';
import { LoginPage } from '../pages/LoginPage.js';
import { MembersPage } from '../pages/MembersPage.js';
import { NotFoundPage } from '../pages/NotFoundPage.js';
import { SetupPage } from '../pages/SetupPage.js';
import { TrashPage } from '../pages/TrashPage.js';
import { ToastProvider } from '../ui/Toasts.js';
import { matchPath, navigate, useLocation } from './router.js';
import { SessionProvider, useSession } from './session.js';
import { Shell } from './Shell.js';

/** Goes elsewhere once rendered (navigation is a side effect, so not during render). */
function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to.startsWith('/') && !to.startsWith('//') ? to : '/', { replace: true }), [to]);
  return null;
}

function Pages() {
  const { path, query } = useLocation();
  const { token, refresh } = useSession();
  const [notice, setNotice] = useState<string>();

  // Each page starts from the caller as the server knows it now (a role may have changed).
  useEffect(() => {
    if (token) refresh();
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

  if (path === '/setup') return <SetupPage />;
  if (path === '/invite') return <InvitePage />;
  if (!token) return <LoginPage next={query.get('next') ?? (path !== '/login' ? path : undefined)} notice={notice} />;
  if (path === '/login') return <Redirect to={query.get('next') ?? '/'} />;

  const board = matchPath('/boards/:id', path);
  let page;
  if (path === '/') page = <BoardsPage />;
  else if (board) page = <BoardPage key={board.id} boardId={board.id} />;
  else if (path === '/trash') page = <TrashPage />;
  else if (path === '/integrations') page = <IntegrationsPage />;
  else if (path === '/members') page = <MembersPage />;
  else if (path === '/account') page = <AccountPage />;
  else page = <NotFoundPage />;
  return <Shell>{page}</Shell>;
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
