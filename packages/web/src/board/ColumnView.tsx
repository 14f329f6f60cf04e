/**
 * One column: its header (name, count against the WIP limit, actions), its cards as a virtual list
 * (only the cards in view are in the page, so a column of thousands scrolls as lightly as one of
 * ten), and a quick way to add a card at its end.
 */
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react';
import type { Column } from '@prodboard/shared';
import { errorMessage } from '../api/client.js';
import type { Card } from '../api/types.js';
import { splitErrors } from '../forms/fields.js';
import { count } from '../ui/format.js';
import { Icon } from '../ui/icons.js';
import { Menu } from '../ui/Menu.js';
import { LIST_PADDING, layoutColumn, setBodyLayout, type ColumnLayout } from './card-layout.js';
import { CardItem } from './CardItem.js';

/** Cards rendered beyond the visible ones, above and below, so fast scrolling never shows gaps. */
const OVERSCAN = 6;
/** A card's height for the first render's guess of how many fit (the shortest card). */
const SHORTEST_CARD = 41;

export { LIST_PADDING };

export interface ColumnActions {
  rename: (key: string, name: string) => Promise<void>;
  setWipLimit: (key: string, limit: number | null | string) => Promise<void>;
  move: (key: string, by: -1 | 1) => Promise<void>;
  remove: (key: string) => Promise<void>;
  addCard: (key: string, title: string) => Promise<void>;
}

export interface CardHandlers {
  onPointerDown: (e: PointerEvent<HTMLDivElement>, card: Card) => void;
  onKeyDown: (e: KeyboardEvent<HTMLDivElement>, card: Card) => void;
  onOpen: (card: Card) => void;
}

interface Props {
  column: Column;
  position: number;
  columnCount: number;
  cards: Card[];
  total: number;
  focusCardId?: string;
  draggingId?: string;
  /** Where a dragged card would land (index in `cards`), when this column is the target. */
  dropIndex?: number;
  pending: ReadonlySet<string>;
  canWrite: boolean;
  registerBody: (key: string, el: HTMLDivElement | null) => void;
  handlers: CardHandlers;
  actions: ColumnActions;
}

export const ColumnView = memo(function ColumnView(props: Props) {
  const { column, cards, total, focusCardId, draggingId, dropIndex, pending, handlers, canWrite } = props;
  const body = useRef<HTMLDivElement>(null);
  // Until the column is measured, assume it is as tall as the window: the first render draws no more than fits.
  const [range, setRange] = useState(() => ({ start: 0, end: Math.ceil(window.innerHeight / SHORTEST_CARD) + OVERSCAN }));
  const frame = useRef(0);

  // Cards' drawn heights by id; a new map (and so a new layout) whenever one changes.
  const [measured, setMeasured] = useState<ReadonlyMap<string, number>>(() => new Map());
  const measuredRef = useRef(measured);
  const layout = useMemo(() => layoutColumn(cards, measured), [cards, measured]);
  const layoutRef = useRef<ColumnLayout>(layout);
  layoutRef.current = layout;

  const measure = useCallback(() => {
    const el = body.current;
    if (!el) return;
    const top = Math.max(0, el.scrollTop - LIST_PADDING);
    const start = Math.max(0, layoutRef.current.indexAt(top) - OVERSCAN);
    const end = layoutRef.current.indexAt(top + el.clientHeight) + 1 + OVERSCAN;
    setRange((r) => (r.start === start && r.end === end ? r : { start, end }));
  }, []);

  /** Reads the drawn cards' heights; a change re-lays the column out. */
  const measureCards = useCallback(() => {
    const el = body.current;
    if (!el) return;
    const known = measuredRef.current;
    let changed: Map<string, number> | undefined;
    for (const card of el.querySelectorAll<HTMLElement>('.card[data-card-id]')) {
      const id = card.dataset.cardId!;
      const height = card.offsetHeight;
      if (height > 0 && known.get(id) !== height) (changed ??= new Map(known)).set(id, height);
    }
    if (changed) {
      measuredRef.current = changed;
      setMeasured(changed);
    }
  }, []);

  useLayoutEffect(() => {
    measure();
    const el = body.current!;
    // A narrower column (a phone turned) rewraps titles and tags: the heights change with it.
    const observer = new ResizeObserver(() => {
      measureCards();
      measure();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [measure, measureCards]);

  // After every render: new cards drawn, or a card's content changed, may have changed heights.
  useLayoutEffect(() => {
    measureCards();
    if (body.current) setBodyLayout(body.current, layout);
  });
  // A new layout may put other cards in view.
  useLayoutEffect(measure, [layout, measure]);

  const onScroll = () => {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(measure);
  };

  const register = props.registerBody;
  const bodyRef = useCallback(
    (el: HTMLDivElement | null) => {
      body.current = el;
      register(column.key, el);
    },
    [register, column.key],
  );

  // The focused card stays in the page even when scrolled out of view, so focus is never lost.
  const focusIndex = focusCardId ? cards.findIndex((c) => c.id === focusCardId) : -1;
  const rendered: Array<[Card, number]> = [];
  for (let i = range.start; i < Math.min(range.end, cards.length); i++) rendered.push([cards[i], i]);
  if (focusIndex !== -1 && (focusIndex < range.start || focusIndex >= range.end)) rendered.push([cards[focusIndex], focusIndex]);
  const tabStop = focusIndex !== -1 ? focusIndex : 0;

  const wip = column.wip_limit;
  const over = wip !== undefined && total > wip;

  return (
    <section className={`column${over ? ' column-over' : ''}`} data-column-key={column.key} aria-labelledby={`col-${column.key}-title`}>
      <ColumnHeader {...props} over={over} />
      <div className="column-body" ref={bodyRef} onScroll={onScroll}>
        <ul className="column-list" role="list" aria-labelledby={`col-${column.key}-title`} style={{ height: layout.total + LIST_PADDING }}>
          {rendered.map(([card, i]) => (
            <CardItem
              key={card.id}
              card={card}
              index={i}
              top={layout.top(i)}
              total={cards.length}
              focusable={i === tabStop}
              dragging={card.id === draggingId}
              pending={pending.has(card.id)}
              onPointerDown={handlers.onPointerDown}
              onKeyDown={handlers.onKeyDown}
              onOpen={handlers.onOpen}
            />
          ))}
          {dropIndex !== undefined && <li className="drop-line" aria-hidden="true" style={{ transform: `translateY(${layout.top(dropIndex) - 5}px)` }} />}
        </ul>
        {cards.length === 0 && <p className="column-empty">{total === 0 ? 'No cards yet' : 'No cards match the filters'}</p>}
      </div>
      {canWrite && <QuickAdd column={column} onAdd={props.actions.addCard} />}
    </section>
  );
});

function ColumnHeader({ column, position, columnCount, total, over, actions, canWrite }: Props & { over: boolean }) {
  const [mode, setMode] = useState<'idle' | 'rename' | 'wip'>('idle');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (mode !== 'idle') input.current?.select();
  }, [mode]);

  const start = (next: 'rename' | 'wip') => {
    setError(undefined);
    setValue(next === 'rename' ? column.name : column.wip_limit !== undefined ? String(column.wip_limit) : '');
    setMode(next);
  };
  const run = async (action: () => Promise<void>, after?: () => void) => {
    setBusy(true);
    try {
      await action();
      setMode('idle');
      setError(undefined);
      after?.();
    } catch (err) {
      setError(splitErrors(err, ['columns']).byField.columns ?? errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const submit = () => {
    if (mode === 'rename') return run(() => actions.rename(column.key, value));
    const trimmed = value.trim();
    const limit = trimmed === '' ? null : /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
    return run(() => actions.setWipLimit(column.key, limit));
  };
  const wip = column.wip_limit;

  return (
    <header className="column-head">
      {mode === 'idle' ? (
        <div className="column-head-row">
          <h2 className="column-title" id={`col-${column.key}-title`}>
            {canWrite ? (
              <button type="button" className="column-name" onClick={() => start('rename')} title="Rename column">
                {column.name}
              </button>
            ) : (
              <span className="column-name">{column.name}</span>
            )}
          </h2>
          <span className={`count${over ? ' count-over' : ''}`} title={wip !== undefined ? `WIP limit ${wip}` : undefined}>
            {count(total)}
            {wip !== undefined && <span className="count-limit"> / {wip}</span>}
            {over && <span className="visually-hidden"> cards, over the WIP limit</span>}
          </span>
          {canWrite && (
            <Menu
              label={`Actions for column ${column.name}`}
              items={[
                { label: 'Rename', icon: 'edit', onSelect: () => start('rename') },
                { label: wip !== undefined ? 'Change WIP limit' : 'Set WIP limit', icon: 'filter', onSelect: () => start('wip') },
                { label: 'Move left', icon: 'left', disabled: position === 0, onSelect: () => void run(() => actions.move(column.key, -1)) },
                { label: 'Move right', icon: 'right', disabled: position === columnCount - 1, onSelect: () => void run(() => actions.move(column.key, 1)) },
                { label: 'Delete column', icon: 'trash', danger: true, disabled: columnCount === 1, onSelect: () => void run(() => actions.remove(column.key)) },
              ]}
            />
          )}
        </div>
      ) : (
        <form
          className="column-edit"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <label className="visually-hidden" htmlFor={`col-${column.key}-edit`}>
            {mode === 'rename' ? 'Column name' : 'WIP limit (empty for none)'}
          </label>
          <input
            ref={input}
            id={`col-${column.key}-edit`}
            className="input input-small"
            value={value}
            inputMode={mode === 'wip' ? 'numeric' : undefined}
            placeholder={mode === 'wip' ? 'No limit' : undefined}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `col-${column.key}-error` : undefined}
            onChange={(e) => setValue(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Escape') {
                e.preventDefault();
                setMode('idle');
              }
            }}
          />
          <button type="submit" className="btn btn-primary btn-small" disabled={busy}>
            Save
          </button>
          <button type="button" className="btn btn-ghost btn-small" onClick={() => setMode('idle')}>
            Cancel
          </button>
        </form>
      )}
      {over && mode === 'idle' && (
        <p className="wip-warning">
          <Icon name="alert" size={14} /> Over the WIP limit of {wip}
        </p>
      )}
      {error && (
        <p className="field-error" id={`col-${column.key}-error`} role="alert">
          {error}
        </p>
      )}
    </header>
  );
}

/** "Add a card" at the end of a column: type a title, press Enter, keep typing the next one. */
function QuickAdd({ column, onAdd }: { column: Column; onAdd: ColumnActions['addCard'] }) {
  const [open, setOpen] = useState(false);
  const [title, setTitle] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const id = `add-${column.key}`;
  // Closing the form (Escape, Cancel) puts focus back on the button that opened it, not on the page.
  const addButton = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);
  useEffect(() => {
    if (!open && refocus.current) addButton.current?.focus();
    refocus.current = false;
  }, [open]);
  const close = () => {
    refocus.current = true;
    setOpen(false);
  };

  if (!open) {
    return (
      <button ref={addButton} type="button" className="quick-add-btn" onClick={() => setOpen(true)}>
        <Icon name="plus" size={16} /> Add card
      </button>
    );
  }
  return (
    <form
      className="quick-add"
      onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        try {
          await onAdd(column.key, title);
          setTitle('');
          setError(undefined);
        } catch (err) {
          const split = splitErrors(err, ['title']);
          setError(split.byField.title ?? split.general);
        } finally {
          setBusy(false);
        }
      }}
    >
      <label htmlFor={id} className="visually-hidden">
        Title of the new card in {column.name}
      </label>
      <textarea
        id={id}
        className="input"
        rows={2}
        autoFocus
        placeholder="What needs doing?"
        value={title}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(e) => {
          setTitle(e.target.value);
          setError(undefined);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey) {
            e.preventDefault();
            e.currentTarget.form?.requestSubmit();
          } else if (e.key === 'Escape') {
            close();
          }
        }}
      />
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
      <div className="quick-add-actions">
        <button type="submit" className="btn btn-primary btn-small" disabled={busy}>
          Add card
        </button>
        <button type="button" className="btn btn-ghost btn-small" onClick={close}>
          Cancel
        </button>
      </div>
    </form>
  );
}
