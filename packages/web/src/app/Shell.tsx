/** The signed-in frame: navigation (a sidebar, a top bar on phones), the connection banner and the page. */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { api, errorMessage } from '../api/client.js';
import type { Membership, SignedIn } from '../api/types.js';
import { Brand } from '../pages/AuthLayout.js';
import { Avatar } from '../ui/Avatar.js';
import { Icon, type IconName } from '../ui/icons.js';
import { useToast } from '../ui/Toasts.js';
import { ConnectionBanner } from './ConnectionBanner.js';
import { navigate, useLocation } from './router.js';
import { useSession } from './session.js';

const NAV: Array<{ to: string; label: string; icon: IconName }> = [
  { to: '/', label: 'Boards', icon: 'boards' },
  { to: '/inbox', label: 'Inbox', icon: 'inbox' },
  { to: '/trash', label: 'Trash', icon: 'trash' },
  { to: '/integrations', label: 'Integrations', icon: 'plug' },
  { to: '/members', label: 'Members', icon: 'users' },
  { to: '/account', label: 'Account', icon: 'user' },
];

/** A link that navigates inside the app (and still opens in a new tab with a modifier key). */
export function Link({ to, children, className, ...rest }: { to: string; children: ReactNode; className?: string; 'aria-current'?: 'page' | undefined }) {
  return (
    <a
      href={to}
      className={className}
      {...rest}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

/** The workspace switcher: shown when the person belongs to more than one workspace; switching opens a session there. */
function WorkspaceSwitcher() {
  const { me, signIn } = useSession();
  const toast = useToast();
  const [workspaces, setWorkspaces] = useState<Membership[]>([]);
  const [busy, setBusy] = useState(false);
  const current = me?.workspace.id;
  useEffect(() => {
    if (!current) return;
    let stale = false;
    api
      .get<{ data: Membership[] }>('/auth/workspaces')
      .then((r) => !stale && setWorkspaces(r.data))
      .catch(() => {});
    return () => {
      stale = true;
    };
  }, [current]);
  if (workspaces.length < 2 || !me) return null;
  const choose = async (id: string) => {
    setBusy(true);
    try {
      const result = await api.post<SignedIn>('/auth/switch', { workspace: id });
      signIn(result);
      navigate('/');
      toast(`You are in ${result.user.workspace.name}.`, { tone: 'success' });
    } catch (err) {
      toast(errorMessage(err), { tone: 'error' });
    } finally {
      setBusy(false);
    }
  };
  return (
    <label className="workspace-switcher">
      <span className="me-sub">Workspace</span>
      <select className="input input-small" value={me.workspace.id} disabled={busy} onChange={(e) => void choose(e.target.value)}>
        {workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name} ({w.role})
          </option>
        ))}
      </select>
    </label>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const { path } = useLocation();
  const { me, signOut } = useSession();
  const [menuOpen, setMenuOpen] = useState(false);
  const main = useRef<HTMLElement>(null);
  const shownPath = useRef(path);
  useEffect(() => {
    setMenuOpen(false);
    // After moving to another page, focus starts at its content (screen readers read it from there).
    if (shownPath.current !== path) main.current?.focus({ preventScroll: true });
    shownPath.current = path;
  }, [path]);

  const current = (to: string) => (to === '/' ? path === '/' || path.startsWith('/boards/') : path.startsWith(to));

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button type="button" className="icon-btn" aria-label="Menu" aria-expanded={menuOpen} aria-controls="sidebar" onClick={() => setMenuOpen((o) => !o)}>
          <Icon name="menu" />
        </button>
        <Brand />
      </header>
      <nav id="sidebar" className={`sidebar${menuOpen ? ' open' : ''}`} aria-label="Main">
        <div className="sidebar-brand">
          <Brand />
        </div>
        <ul className="nav">
          {NAV.map((item) => (
            <li key={item.to}>
              <Link to={item.to} className={`nav-link${current(item.to) ? ' active' : ''}`} aria-current={current(item.to) ? 'page' : undefined}>
                <Icon name={item.icon} />
                {item.label}
              </Link>
            </li>
          ))}
        </ul>
        <div className="sidebar-foot">
          {me && (
            <div className="me">
              <Avatar name={me.name} size={30} />
              <div className="me-text">
                <span className="me-name">{me.name}</span>
                <span className="me-sub">
                  {me.workspace.name} · {me.role}
                </span>
              </div>
            </div>
          )}
          <WorkspaceSwitcher />
          <button type="button" className="nav-link nav-button" onClick={() => void signOut()}>
            <Icon name="logout" />
            Sign out
          </button>
        </div>
      </nav>
      <div className="main-wrap">
        <ConnectionBanner />
        <main id="main" ref={main} className="main" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}
