/** The boards of the workspace: search, archived ones on request, create, edit, archive and delete. */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, errorMessage } from '../api/client.js';
import type { Board, Page } from '../api/types.js';
import { navigate, setQuery, useLocation, useTitle } from '../app/router.js';
import { Link } from '../app/Shell.js';
import { useSession } from '../app/session.js';
import { BoardFormDialog } from '../board/BoardFormDialog.js';
import { isNewer } from '../board/objects.js';
import { live } from '../live/live.js';
import { accentColor } from '../ui/accents.js';
import { timeAgo } from '../ui/format.js';
import { Icon } from '../ui/icons.js';
import { Menu } from '../ui/Menu.js';
import { useToast } from '../ui/Toasts.js';

/** Loads every board matching the search (pages of 50, following the cursor). */
async function loadBoards(q: string, archived: boolean): Promise<Board[]> {
  const boards: Board[] = [];
  let after: string | undefined;
  do {
    const page = await api.get<Page<Board>>('/data/board', { query: { limit: 50, sort: q ? undefined : '-updated_at', q, after, is_archived: archived ? true : undefined } });
    boards.push(...page.data);
    after = page.meta.has_more ? (page.meta.next_cursor ?? undefined) : undefined;
  } while (after && boards.length < 2000);
  return boards;
}

export function BoardsPage() {
  useTitle('Boards');
  const toast = useToast();
  const { me } = useSession();
  const canWrite = me ? me.role !== 'viewer' : true;
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const archived = query.get('archived') === '1';
  const [search, setSearch] = useState(q);
  const [boards, setBoards] = useState<Board[]>();
  const [error, setError] = useState<string>();
  const [dialog, setDialog] = useState<{ board?: Board } | null>(null);

  const reload = useCallback(() => {
    let stale = false;
    loadBoards(q, archived)
      .then((list) => !stale && (setBoards(list), setError(undefined)))
      .catch((err) => !stale && setError(errorMessage(err)));
    return () => {
      stale = true;
    };
  }, [q, archived]);
  useEffect(reload, [reload]);

  // Typing searches after a short pause.
  useEffect(() => {
    const timer = setTimeout(() => search !== q && setQuery({ q: search }), 250);
    return () => clearTimeout(timer);
  }, [search, q]);

  // Boards others create, change or delete show up here as it happens.
  useEffect(
    () =>
      live.subscribe((message) => {
        if (message.kind === 'reset') return reload();
        const object = message.event.object as unknown as Board | null;
        if (!object || object.type !== 'board') return;
        setBoards((list) => {
          if (!list) return list;
          const at = list.findIndex((b) => b.id === object.id);
          const belongs = !object.is_deleted && object.is_archived === archived && !q;
          if (at === -1) return belongs ? [object, ...list] : list;
          if (!isNewer(object, list[at])) return list;
          return belongs ? list.map((b, i) => (i === at ? object : b)) : list.filter((_, i) => i !== at);
        });
      }),
    [archived, q, reload],
  );

  const replace = (board: Board) => setBoards((list) => list?.map((b) => (b.id === board.id && isNewer(board, b) ? board : b)));
  const drop = (id: string) => setBoards((list) => list?.filter((b) => b.id !== id));

  const archive = async (board: Board, value: boolean) => {
    try {
      await api.patch<Board>(`/data/board/${board.id}`, { is_archived: value }, { ifMatch: board.version });
      drop(board.id);
      toast(value ? `“${board.data.name}” archived.` : `“${board.data.name}” is back on your boards.`, {
        action: value ? { label: 'Show archived', run: () => setQuery({ archived: '1' }) } : undefined,
      });
    } catch (err) {
      toast(errorMessage(err), { tone: 'error' });
    }
  };

  const remove = async (board: Board) => {
    try {
      await api.delete(`/data/board/${board.id}`, { ifMatch: board.version });
      drop(board.id);
      toast(`“${board.data.name}” moved to the trash with its cards.`, {
        action: {
          label: 'Undo',
          run: () =>
            void api
              .post<Board>(`/trash/board/${board.id}/restore`)
              .then((restored) => setBoards((list) => (list && !list.some((b) => b.id === restored.id) ? [restored, ...list] : list)))
              .catch((err) => toast(errorMessage(err), { tone: 'error' })),
        },
      });
    } catch (err) {
      toast(errorMessage(err), { tone: 'error' });
    }
  };

  const sorted = useMemo(() => boards ?? [], [boards]);

  return (
    <div className="page">
      <header className="page-head">
        <div>
          <h1>{archived ? 'Archived boards' : 'Boards'}</h1>
          <p className="page-sub">{archived ? 'Boards set aside. Unarchive one to bring it back.' : 'Everything your team is working on.'}</p>
        </div>
        {canWrite && (
          <button type="button" className="btn btn-primary" onClick={() => setDialog({})}>
            <Icon name="plus" />
            New board
          </button>
        )}
      </header>

      <div className="toolbar">
        <label className="search">
          <Icon name="search" />
          <span className="visually-hidden">Search boards</span>
          <input className="input" type="search" placeholder="Search boards" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        <label className="toggle">
          <input type="checkbox" checked={archived} onChange={(e) => setQuery({ archived: e.target.checked ? '1' : undefined })} />
          Show archived
        </label>
      </div>

      {error && (
        <div className="form-error" role="alert">
          {error}{' '}
          <button type="button" className="link-btn" onClick={reload}>
            Try again
          </button>
        </div>
      )}
      {!boards && !error && <div className="loading" aria-busy="true">Loading boards…</div>}
      {boards && sorted.length === 0 && (
        <div className="empty">
          <Icon name="boards" size={40} />
          <h2>{q ? 'No boards match your search' : archived ? 'No archived boards' : 'No boards yet'}</h2>
          {!q && !archived && <p>Create a board for a project, a team or a release, and add its columns.</p>}
          {!q && !archived && canWrite && (
            <button type="button" className="btn btn-primary" onClick={() => setDialog({})}>
              <Icon name="plus" />
              Create your first board
            </button>
          )}
        </div>
      )}
      <ul className="board-grid">
        {sorted.map((board) => (
          <li key={board.id} className="board-tile" style={{ ['--accent' as string]: accentColor(board.data.accent) }}>
            <Link to={board.key ? `/b/${board.key}` : `/boards/${board.id}`} className="board-tile-link">
              <span className="board-tile-name">{board.data.name}</span>
              {board.data.description && <span className="board-tile-desc">{board.data.description}</span>}
              <span className="board-tile-meta">
                {board.data.columns?.length ?? 0} columns · updated {timeAgo(board.updated_at)}
              </span>
              {board.data.tags && board.data.tags.length > 0 && (
                <span className="tags">
                  {board.data.tags.map((t) => (
                    <span key={t} className="tag">
                      {t}
                    </span>
                  ))}
                </span>
              )}
            </Link>
            {canWrite && (
              <Menu
                label={`Actions for ${board.data.name}`}
                className="board-tile-menu"
                items={[
                  { label: 'Edit', icon: 'edit', onSelect: () => setDialog({ board }) },
                  archived
                    ? { label: 'Unarchive', icon: 'restore', onSelect: () => void archive(board, false) }
                    : { label: 'Archive', icon: 'archive', onSelect: () => void archive(board, true) },
                  { label: 'Move to trash', icon: 'trash', danger: true, onSelect: () => void remove(board) },
                ]}
              />
            )}
          </li>
        ))}
      </ul>

      {dialog && (
        <BoardFormDialog
          board={dialog.board}
          onClose={() => setDialog(null)}
          onSaved={(saved, created) => {
            setDialog(null);
            if (created) navigate(`/boards/${saved.id}`);
            else replace(saved);
          }}
        />
      )}
    </div>
  );
}
