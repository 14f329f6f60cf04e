/**
 * A board: its columns side by side, cards dragged (or moved with the keyboard) within and across
 * them, a panel to edit a card, quick filters and search, and every change by anyone shown live.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Column } from '@prodboard/shared';
import { ApiError, api, errorMessage } from '../api/client.js';
import { onReconnect } from '../api/connectivity.js';
import type { Board, Card, Page } from '../api/types.js';
import { leaveQuery, leaveTo, navigate, setQuery, useLocation, useTitle } from '../app/router.js';
import { Link } from '../app/Shell.js';
import { useSession } from '../app/session.js';
import { ArchivedCards } from '../board/ArchivedCards.js';
import { BoardFormDialog } from '../board/BoardFormDialog.js';
import { BoardToolbar } from '../board/BoardToolbar.js';
import { bodyLayout } from '../board/card-layout.js';
import { CardPanel } from '../board/CardPanel.js';
import { ColumnView, LIST_PADDING, type CardHandlers, type ColumnActions } from '../board/ColumnView.js';
import { MoreColumns } from '../board/MoreColumns.js';
import { cardMatches, filterChoices, type CardFilters } from '../board/filters.js';
import { newKey } from '../board/objects.js';
import { planMove } from '../board/positions.js';
import { useBoard } from '../board/useBoard.js';
import { indexAmongOthers, useCardDrag, type DropTarget } from '../board/useCardDrag.js';
import { accentColor } from '../ui/accents.js';
import { count } from '../ui/format.js';
import { Icon } from '../ui/icons.js';
import { preloadMarkdown } from '../ui/Markdown.js';
import { useToast } from '../ui/Toasts.js';

/** Server search results of the board for `q`, as a set of card ids (undefined without a search). */
function useSearch(boardId: string, q: string): { matches?: Set<string>; searching: boolean } {
  const [state, setState] = useState<{ q: string; matches?: Set<string> }>({ q: '' });
  useEffect(() => {
    if (!q) return setState({ q: '' });
    const controller = new AbortController();
    (async () => {
      const ids = new Set<string>();
      let after: string | undefined;
      do {
        const page = await api.get<Page<Card>>('/data/card', {
          query: { data__board_id: boardId, q, sort: 'data__position', limit: 200, after },
          signal: controller.signal,
        });
        for (const card of page.data) ids.add(card.id);
        after = page.meta.has_more ? (page.meta.next_cursor ?? undefined) : undefined;
      } while (after && ids.size < 5000);
      setState({ q, matches: ids });
    })().catch(() => {});
    return () => controller.abort();
  }, [boardId, q]);
  return { matches: q && state.q === q ? state.matches : undefined, searching: !!q && state.q !== q };
}

/** The address's query without `card` ("?q=x" or ""), for the keyed addresses' own card segment. */
function searchWithoutCard(): string {
  const params = new URLSearchParams(window.location.search);
  params.delete('card');
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** /b/WEB and /b/WEB/WEB-42 (issue 12): the board its key (current or old) names, with that card open. */
export function KeyedBoardPage({ boardKey, cardKey }: { boardKey: string; cardKey?: string }) {
  const [found, setFound] = useState<{ id?: string; error?: string; missing?: boolean }>({});
  const [attempt, setAttempt] = useState(0);
  // A key that could not be looked up because the server was unreachable is looked up again once it is back.
  useEffect(() => onReconnect(() => setAttempt((n) => n + 1)), []);
  useEffect(() => {
    const controller = new AbortController();
    api
      .get<Board>(`/data/board/${encodeURIComponent(boardKey)}`, { signal: controller.signal })
      .then((b) => setFound({ id: b.id }))
      .catch((err) => {
        if (!controller.signal.aborted) setFound({ error: errorMessage(err), missing: err instanceof ApiError && err.status === 404 });
      });
    return () => controller.abort();
  }, [boardKey, attempt]);
  if (found.id) return <BoardPage boardId={found.id} cardKey={cardKey} />;
  if (found.error && found.missing) {
    return (
      <div className="page">
        <div className="empty">
          <h1>No board {boardKey}</h1>
          <p>{found.error}</p>
          <Link to="/" className="btn btn-primary">
            All boards
          </Link>
        </div>
      </div>
    );
  }
  if (found.error) {
    return (
      <div className="page">
        <div className="form-error" role="alert">
          {found.error}{' '}
          <button type="button" className="link-btn" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </div>
      </div>
    );
  }
  return <div className="page loading">Loading…</div>;
}

export function BoardPage({ boardId, cardKey }: { boardId: string; cardKey?: string }) {
  const data = useBoard(boardId);
  const { board } = data;
  useTitle(board?.data.name ?? 'Board');
  const toast = useToast();
  const { me } = useSession();
  const canWrite = me ? me.role !== 'viewer' : true;
  const { query } = useLocation();
  const q = query.get('q') ?? '';
  const filters: CardFilters = useMemo(
    () => ({ assignee: query.get('assignee') ?? '', priority: query.get('priority') ?? '', tag: query.get('tag') ?? '', due: query.get('due') ?? '' }),
    [query],
  );
  // The open card: the address's card key (/b/WEB/WEB-42) or ?card=id (older links).
  const keyedPath = window.location.pathname.startsWith('/b/');
  const openCardId = cardKey ?? query.get('card');
  const showArchived = query.get('archived') === '1';
  const { matches, searching } = useSearch(boardId, q);

  const [pending, setPending] = useState<ReadonlySet<string>>(new Set());
  const [focus, setFocus] = useState<{ id: string; request: number }>();
  const [announcement, setAnnouncement] = useState('');
  const [editing, setEditing] = useState(false);
  const [panelCard, setPanelCard] = useState<Card>();
  const bodies = useRef(new Map<string, HTMLDivElement>());
  const boardRef = useRef<HTMLDivElement>(null);

  const columns: Column[] = useMemo(() => board?.data.columns ?? [], [board]);
  const filtering = !!matches || Object.values(filters).some(Boolean);
  const visible = useMemo(() => {
    if (!filtering) return data.columns;
    const now = new Date();
    const out = new Map<string, Card[]>();
    for (const [key, list] of data.columns) out.set(key, list.filter((c) => cardMatches(c, filters, matches, now, me?.id)));
    return out;
  }, [data.columns, filters, matches, filtering, me?.id]);
  // data.columns is rebuilt whenever the card map changes, so it stands for it here.
  const choices = useMemo(() => filterChoices(data.cards.values()), [data.columns, data.cards]);
  const total = data.cards.size;
  const shownCount = useMemo(() => [...visible.values()].reduce((n, l) => n + l.length, 0), [visible]);

  // Marks for the benchmark and the tests: the first frame with cards, and the fully loaded board.
  const markedPaint = useRef(false);
  useEffect(() => {
    if (data.painted && board && !markedPaint.current) {
      markedPaint.current = true;
      requestAnimationFrame(() => setTimeout(() => performance.mark('pb:board-painted'), 0));
    }
  }, [data.painted, board]);
  useEffect(() => {
    if (data.complete) performance.mark('pb:board-complete');
  }, [data.complete]);

  // Focus follows the card that was just moved or chosen, scrolling it into its column's view.
  useEffect(() => {
    if (!focus) return;
    const card = data.cards.get(focus.id);
    const body = card && bodies.current.get(card.data.status ?? '');
    const list = card && visible.get(card.data.status ?? '');
    if (!card || !body || !list) return;
    const layout = bodyLayout(body);
    const index = list.findIndex((c) => c.id === card.id);
    if (layout && index !== -1) {
      const top = layout.top(index) + LIST_PADDING;
      const bottom = top + layout.height(index) + LIST_PADDING;
      if (top < body.scrollTop) body.scrollTop = top - LIST_PADDING;
      else if (bottom > body.scrollTop + body.clientHeight) body.scrollTop = bottom - body.clientHeight;
    }
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-card-id="${focus.id}"]`)?.focus({ preventScroll: true }));
    // Only a new focus request moves focus; re-renders of the board must not steal it back.
  }, [focus?.request]);
  const focusCard = useCallback((id: string) => setFocus((f) => ({ id, request: (f?.request ?? 0) + 1 })), []);

  const columnName = useCallback((key: string) => columns.find((c) => c.key === key)?.name ?? key, [columns]);

  const moveCard = useCallback(
    async (card: Card, status: string, index: number) => {
      const list = visible.get(status) ?? [];
      const plan = planMove(card, status, list, index);
      if (!plan) return;
      data.previewCard({ ...card, data: { ...card.data, status, position: plan.provisional } });
      setPending((p) => new Set(p).add(card.id));
      focusCard(card.id);
      const others = list.filter((c) => c.id !== card.id).length;
      setAnnouncement(`Moved “${card.data.title}” to ${columnName(status)}, position ${Math.min(index, others) + 1} of ${others + 1}.`);
      try {
        data.applyCard(await api.patch<Card>(`/data/card/${card.id}`, plan.body, { ifMatch: card.version }));
      } catch (err) {
        const fresh = await api.get<Card>(`/data/card/${card.id}`).catch(() => undefined);
        data.applyCard(fresh ?? card, true);
        if (err instanceof ApiError && err.status === 412) {
          toast(`“${card.data.title}” was changed by someone else a moment ago, so your move was not applied. The board shows the latest; move it again if you still want to.`, { tone: 'error' });
        } else {
          toast(`Could not move “${card.data.title}”: ${errorMessage(err)}`, { tone: 'error' });
        }
      } finally {
        setPending((p) => {
          const next = new Set(p);
          next.delete(card.id);
          return next;
        });
      }
    },
    [visible, data, focusCard, columnName, toast],
  );

  const drag = useCardDrag({
    bodies,
    board: boardRef,
    shown: (status) => visible.get(status) ?? [],
    enabled: canWrite,
    onDrop: (card, target: DropTarget) => void moveCard(card, target.status, indexAmongOthers(card, target, visible.get(target.status) ?? [])),
  });

  const openCard = useCallback(
    (card: Card) => {
      setPanelCard(card);
      if (keyedPath && board?.key && card.key) navigate(`/b/${board.key}/${card.key}${searchWithoutCard()}`);
      else setQuery({ card: card.id });
    },
    [keyedPath, board?.key],
  );

  const onKeyDown = useCallback(
    (e: KeyboardEvent<HTMLDivElement>, card: Card) => {
      const status = card.data.status ?? '';
      const list = visible.get(status) ?? [];
      const i = list.findIndex((c) => c.id === card.id);
      const col = columns.findIndex((c) => c.key === status);
      const moving = (e.shiftKey || e.altKey) && canWrite;
      const neighbour = (step: -1 | 1) => {
        for (let c = col + step; c >= 0 && c < columns.length; c += step) {
          const other = visible.get(columns[c].key) ?? [];
          if (moving || other.length > 0) return { key: columns[c].key, list: other };
        }
        return undefined;
      };
      let handled = true;
      switch (e.key) {
        case 'Enter':
        case ' ':
          openCard(card);
          break;
        case 'ArrowUp':
          if (moving) void moveCard(card, status, i - 1);
          else if (i > 0) focusCard(list[i - 1].id);
          break;
        case 'ArrowDown':
          if (moving) void moveCard(card, status, i + 1);
          else if (i < list.length - 1) focusCard(list[i + 1].id);
          break;
        case 'ArrowLeft':
        case 'ArrowRight': {
          const target = neighbour(e.key === 'ArrowLeft' ? -1 : 1);
          if (!target) break;
          if (moving) void moveCard(card, target.key, Math.min(i, target.list.length));
          else focusCard(target.list[Math.min(i, target.list.length - 1)].id);
          break;
        }
        case 'Home':
          focusCard(list[0].id);
          break;
        case 'End':
          focusCard(list[list.length - 1].id);
          break;
        default:
          handled = false;
      }
      if (handled) e.preventDefault();
    },
    [visible, columns, canWrite, moveCard, focusCard, openCard],
  );

  const handlers: CardHandlers = useMemo(
    () => ({
      onPointerDown: drag.onPointerDown,
      onKeyDown,
      onOpen: (card: Card) => {
        if (!drag.consumeClick()) openCard(card);
      },
    }),
    [drag.onPointerDown, drag.consumeClick, onKeyDown, openCard],
  );

  const boardRefLatest = useRef(board);
  boardRefLatest.current = board;
  const patchColumns = useCallback(
    async (next: Array<{ key?: string; name: string; wip_limit?: unknown }>) => {
      const current = boardRefLatest.current!;
      try {
        data.applyBoard(await api.patch<Board>(`/data/board/${current.id}`, { columns: next }, { ifMatch: current.version }));
      } catch (err) {
        if (err instanceof ApiError && err.status === 412) {
          data.applyBoard(await api.get<Board>(`/data/board/${current.id}`), true);
          throw new ApiError(412, { detail: 'Someone else changed this board a moment ago. You now see the latest columns; try again.', code: 'precondition_failed', errors: [] });
        }
        throw err;
      }
    },
    [data],
  );

  const actions: ColumnActions = useMemo(() => {
    const cols = () => boardRefLatest.current?.data.columns ?? [];
    return {
      rename: (key, name) => patchColumns(cols().map((c) => (c.key === key ? { ...c, name } : c))),
      setWipLimit: (key, limit) =>
        patchColumns(
          cols().map((c) => {
            if (c.key !== key) return c;
            const { wip_limit: _old, ...rest } = c;
            return limit === null ? rest : { ...rest, wip_limit: limit };
          }),
        ),
      move: (key, by) => {
        const list = [...cols()];
        const at = list.findIndex((c) => c.key === key);
        [list[at], list[at + by]] = [list[at + by], list[at]];
        return patchColumns(list);
      },
      remove: (key) => patchColumns(cols().filter((c) => c.key !== key)),
      addCard: async (key, title) => {
        const created = await api.post<Card>('/data/card', { title, board_id: boardId, status: key }, { idempotencyKey: newKey() });
        data.applyCard(created);
        setAnnouncement(`Added “${created.data.title}” to ${columnName(key)}.`);
      },
    };
  }, [patchColumns, boardId, data, columnName]);

  const registerBody = useCallback((key: string, el: HTMLDivElement | null) => {
    if (el) bodies.current.set(key, el);
    else bodies.current.delete(key);
  }, []);

  // The panel follows the URL (?card=id), so Back closes it and a link opens it.
  useEffect(() => {
    if (!openCardId) return setPanelCard(undefined);
    let known = data.cards.get(openCardId);
    if (!known) for (const c of data.cards.values()) if (c.key === openCardId) known = c;
    if (known) {
      const card = known;
      setPanelCard((p) => (p?.id === card.id ? p : card));
    } else if (data.complete || (panelCard?.id !== openCardId && panelCard?.key !== openCardId)) {
      api
        .get<Card>(`/data/card/${openCardId}`)
        .then(setPanelCard)
        .catch((err) => {
          toast(errorMessage(err), { tone: 'error' });
          closePanel();
        });
    }
    // Runs when the URL names another card (or loading finishes), not on every card change.
  }, [openCardId, data.complete]);

  const closePanel = useCallback(() => {
    if (cardKey !== undefined && board?.key) leaveTo(`/b/${board.key}${searchWithoutCard()}`);
    else leaveQuery({ card: undefined });
  }, [cardKey, board?.key]);

  if (data.missing) {
    return (
      <div className="page">
        <div className="empty">
          <Icon name="boards" size={40} />
          <h1>This board is gone</h1>
          <p>It was deleted, or the link points to a board that does not exist. Deleted boards wait in the trash.</p>
          <div className="row">
            <Link to="/" className="btn btn-primary">
              All boards
            </Link>
            <Link to="/trash" className="btn btn-secondary">
              Open the trash
            </Link>
          </div>
        </div>
      </div>
    );
  }

  return (
    <div className="board-page" style={{ ['--accent' as string]: accentColor(board?.data.accent) }} data-state={data.complete ? 'complete' : data.painted ? 'painted' : 'loading'}>
      {/* While the board is on its way only the title row shows: what depends on the board (its
          description, the buttons, the toolbar and the columns) appears with it, all at once, so
          nothing already painted is pushed down or aside when it arrives (no layout shift). */}
      <header className="board-head">
        <div className="board-title-row">
          <span className="board-accent" aria-hidden="true" />
          <h1 className="board-title">{board?.data.name ?? 'Loading…'}</h1>
          {board && (
            <>
              <span className="board-count">
                {count(total)} {total === 1 ? 'card' : 'cards'}
                {!data.complete && ' so far'}
              </span>
              <span className="spacer" />
              <details className="kbd-help">
                <summary>Keyboard</summary>
                <p id="board-keyboard-help">
                  Arrow keys move between cards. Enter opens a card. Shift with an arrow key moves the card up, down or to the next column.
                </p>
              </details>
              <button type="button" className="btn btn-secondary btn-small" aria-pressed={showArchived} onClick={() => setQuery({ archived: showArchived ? undefined : '1' })}>
                <Icon name="archive" size={16} /> <span className="btn-label">Show archived</span>
              </button>
              {canWrite && (
                <button type="button" className="btn btn-secondary btn-small" onClick={() => setEditing(true)}>
                  <Icon name="edit" size={16} /> <span className="btn-label">Edit board</span>
                </button>
              )}
            </>
          )}
        </div>
        {board?.data.description && <p className="board-desc">{board.data.description}</p>}
        {board && <BoardToolbar q={q} filters={filters} assignees={choices.assignees} tags={choices.tags} shown={shownCount} total={total} searching={searching} />}
      </header>

      {data.error && (
        <div className="form-error" role="alert">
          {data.error}{' '}
          <button type="button" className="link-btn" onClick={data.reload}>
            Try again
          </button>
        </div>
      )}

      {board && (
        // A pointer or the keyboard among the cards: one may be opened, so its Markdown renderer is fetched now.
        <div className="board" ref={boardRef} aria-busy={!data.painted} onPointerOver={preloadMarkdown} onFocus={preloadMarkdown}>
          {columns.map((column, i) => (
            <ColumnView
              key={column.key}
              column={column}
              position={i}
              columnCount={columns.length}
              cards={visible.get(column.key) ?? []}
              total={data.columns.get(column.key)?.length ?? 0}
              focusCardId={focus && data.cards.get(focus.id)?.data.status === column.key ? focus.id : undefined}
              draggingId={drag.drag?.card.id}
              dropIndex={drag.drag?.target?.status === column.key ? drag.drag.target.index : undefined}
              pending={pending}
              canWrite={canWrite}
              registerBody={registerBody}
              handlers={handlers}
              actions={actions}
            />
          ))}
          {canWrite && <AddColumn onAdd={(name) => patchColumns([...columns, { name }])} />}
          <MoreColumns board={boardRef} columns={columns.length} />
        </div>
      )}

      <div className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </div>

      {board && panelCard && (
        <CardPanel
          key={panelCard.id}
          card={panelCard}
          latest={data.cards.get(panelCard.id)}
          board={board}
          assignees={choices.assignees}
          canWrite={canWrite}
          onClose={closePanel}
          onChanged={(saved) => data.applyCard(saved)}
          onSaved={(saved) => {
            data.applyCard(saved);
            closePanel();
            if (saved.data.board_id === boardId) {
              toast('Card saved.', { tone: 'success' });
              focusCard(saved.id);
            } else if (!saved.data.board_id) {
              toast(`Card saved. “${saved.data.title}” has no board now, so it waits in the Inbox.`, { tone: 'success', action: { label: 'Open the Inbox', run: () => navigate('/inbox') } });
            } else {
              const to = `/boards/${saved.data.board_id}`;
              toast(`Card saved. “${saved.data.title}” moved to another board.`, { tone: 'success', action: { label: 'Open that board', run: () => navigate(to) } });
            }
          }}
          onRemoved={(card, how) => {
            const latest = data.cards.get(card.id) ?? card;
            data.applyCard({ ...latest, version: latest.version + 1, is_deleted: how === 'delete', is_archived: how === 'archive' }, true);
            closePanel();
            toast(how === 'delete' ? `“${card.data.title}” moved to the trash.` : `“${card.data.title}” archived.`, {
              action: {
                label: 'Undo',
                run: () =>
                  void (how === 'delete' ? api.post<Card>(`/trash/card/${card.id}/restore`) : api.patch<Card>(`/data/card/${card.id}`, { is_archived: false }))
                    .then((back) => data.applyCard(back, true))
                    .catch((err) => toast(errorMessage(err), { tone: 'error' })),
              },
            });
          }}
        />
      )}
      {board && showArchived && (
        <ArchivedCards board={board} canWrite={canWrite} onClose={() => leaveQuery({ archived: undefined })} onRestored={(card) => data.applyCard(card)} />
      )}
      {editing && board && (
        <BoardFormDialog
          board={board}
          onClose={() => setEditing(false)}
          onSaved={(saved) => {
            data.applyBoard(saved);
            setEditing(false);
          }}
        />
      )}
    </div>
  );
}

/** "Add column" at the end of the board. */
function AddColumn({ onAdd }: { onAdd: (name: string) => Promise<void> }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [error, setError] = useState<string>();
  if (!open) {
    return (
      <button type="button" className="add-column" onClick={() => setOpen(true)}>
        <Icon name="plus" /> Add column
      </button>
    );
  }
  return (
    <form
      className="add-column add-column-form"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await onAdd(name);
          setName('');
          setOpen(false);
          setError(undefined);
        } catch (err) {
          setError(errorMessage(err));
        }
      }}
    >
      <label htmlFor="new-column-name" className="field-label">
        New column
      </label>
      <input
        id="new-column-name"
        className="input"
        autoFocus
        value={name}
        placeholder="e.g. Blocked"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'new-column-error' : undefined}
        onChange={(e) => setName(e.target.value)}
        onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}
      />
      {error && (
        <p className="field-error" id="new-column-error">
          {error}
        </p>
      )}
      <div className="row">
        <button type="submit" className="btn btn-primary btn-small">
          Add column
        </button>
        <button type="button" className="btn btn-ghost btn-small" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
