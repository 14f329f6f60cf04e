/**
 * Dragging cards with the pointer (mouse, pen, or a long press on touch screens). The card follows
 * the pointer as a floating copy; the column under it shows where it would land; columns and the
 * board scroll when the pointer nears their edges. Dropping hands the target to `onDrop`.
 */
import { useCallback, useEffect, useRef, useState, type PointerEvent as ReactPointerEvent, type RefObject } from 'react';
import type { Card } from '../api/types.js';
import { bodyLayout } from './card-layout.js';
import { LIST_PADDING } from './ColumnView.js';

/** Where a dragged card would land: a column and an index in that column's shown cards. */
export interface DropTarget {
  status: string;
  /** Index among the shown cards, counting the dragged card itself where it still is. */
  index: number;
}

export interface DragState {
  card: Card;
  target?: DropTarget;
}

const MOUSE_THRESHOLD = 5;
const LONG_PRESS_MS = 300;
const EDGE = 48;
const SCROLL_SPEED = 14;

function preventTouchScroll(e: TouchEvent) {
  e.preventDefault();
}

interface Options {
  bodies: RefObject<Map<string, HTMLDivElement>>;
  board: RefObject<HTMLDivElement | null>;
  /** The shown cards of a column, in order. */
  shown: (status: string) => Card[];
  onDrop: (card: Card, target: DropTarget) => void;
  enabled: boolean;
}

/** True when dropping at `index` would leave the card where it is. */
export function isNoop(card: Card, target: DropTarget, shown: Card[]): boolean {
  if (card.data.status !== target.status) return false;
  const at = shown.findIndex((c) => c.id === card.id);
  return at !== -1 && (target.index === at || target.index === at + 1);
}

/** The insertion index among the column's other cards, for planMove. */
export function indexAmongOthers(card: Card, target: DropTarget, shown: Card[]): number {
  const at = card.data.status === target.status ? shown.findIndex((c) => c.id === card.id) : -1;
  return at !== -1 && at < target.index ? target.index - 1 : target.index;
}

export function useCardDrag({ bodies, board, shown, onDrop, enabled }: Options) {
  const [drag, setDrag] = useState<DragState | null>(null);
  const live = useRef<{
    card: Card;
    element: HTMLElement;
    pointerId: number;
    startX: number;
    startY: number;
    x: number;
    y: number;
    started: boolean;
    ghost?: HTMLElement;
    target?: DropTarget;
    pressTimer?: ReturnType<typeof setTimeout>;
    frame?: number;
  } | null>(null);
  const suppressClick = useRef(false);
  const latest = useRef({ shown, onDrop });
  latest.current = { shown, onDrop };

  const hitTest = useCallback((x: number, y: number): DropTarget | undefined => {
    let best: { key: string; el: HTMLDivElement; distance: number } | undefined;
    for (const [key, el] of bodies.current!) {
      const column = el.closest('.column')!.getBoundingClientRect();
      const distance = x < column.left ? column.left - x : x > column.right ? x - column.right : 0;
      if (!best || distance < best.distance) best = { key, el, distance };
    }
    if (!best || best.distance > 80) return undefined;
    const rect = best.el.getBoundingClientRect();
    const within = Math.min(Math.max(y, rect.top), rect.bottom);
    const offset = within - rect.top + best.el.scrollTop - LIST_PADDING;
    const count = latest.current.shown(best.key).length;
    const index = Math.max(0, Math.min(count, bodyLayout(best.el)?.insertionAt(offset) ?? count));
    return { status: best.key, index };
  }, [bodies]);

  const cleanup = useCallback(() => {
    const state = live.current;
    if (!state) return;
    clearTimeout(state.pressTimer);
    if (state.frame) cancelAnimationFrame(state.frame);
    state.ghost?.remove();
    document.body.classList.remove('is-dragging');
    window.removeEventListener('touchmove', preventTouchScroll);
    live.current = null;
    setDrag(null);
  }, []);

  const update = useCallback(() => {
    const state = live.current;
    if (!state?.started) return;
    state.ghost!.style.transform = `translate(${state.x - state.startX}px, ${state.y - state.startY}px) rotate(2deg)`;
    const target = hitTest(state.x, state.y);
    if (target?.status !== state.target?.status || target?.index !== state.target?.index) {
      state.target = target;
      setDrag({ card: state.card, target });
    }
  }, [hitTest]);

  // Scrolls the column (and the board) under the pointer while it rests near an edge.
  const autoScroll = useCallback(() => {
    const state = live.current;
    if (!state?.started) return;
    const column = state.target && bodies.current!.get(state.target.status);
    let moved = false;
    if (column) {
      const r = column.getBoundingClientRect();
      if (state.y < r.top + EDGE) (column.scrollTop -= SCROLL_SPEED), (moved = true);
      else if (state.y > r.bottom - EDGE) (column.scrollTop += SCROLL_SPEED), (moved = true);
    }
    const boardEl = board.current;
    if (boardEl) {
      const r = boardEl.getBoundingClientRect();
      if (state.x < r.left + EDGE) (boardEl.scrollLeft -= SCROLL_SPEED), (moved = true);
      else if (state.x > r.right - EDGE) (boardEl.scrollLeft += SCROLL_SPEED), (moved = true);
    }
    if (moved) update();
    state.frame = requestAnimationFrame(autoScroll);
  }, [board, bodies, update]);

  const begin = useCallback(() => {
    const state = live.current;
    if (!state || state.started) return;
    state.started = true;
    const rect = state.element.getBoundingClientRect();
    const ghost = state.element.cloneNode(true) as HTMLElement;
    ghost.classList.add('drag-ghost');
    ghost.removeAttribute('data-card-id');
    ghost.setAttribute('aria-hidden', 'true');
    Object.assign(ghost.style, { left: `${rect.left}px`, top: `${rect.top}px`, width: `${rect.width}px`, height: `${rect.height}px` });
    document.body.append(ghost);
    document.body.classList.add('is-dragging');
    // While a card is dragged on a touch screen, the page must not scroll under the finger.
    window.addEventListener('touchmove', preventTouchScroll, { passive: false });
    state.ghost = ghost;
    setDrag({ card: state.card });
    update();
    state.frame = requestAnimationFrame(autoScroll);
  }, [autoScroll, update]);

  // Listeners live as long as the board; they do nothing unless a press is under way.
  useEffect(() => {
    const onMove = (e: PointerEvent) => {
      const state = live.current;
      if (!state || e.pointerId !== state.pointerId) return;
      state.x = e.clientX;
      state.y = e.clientY;
      const distance = Math.hypot(e.clientX - state.startX, e.clientY - state.startY);
      if (!state.started) {
        if (e.pointerType === 'touch') {
          // Moving before the long press ends means the person is scrolling.
          if (distance > 8) cleanup();
        } else if (distance > MOUSE_THRESHOLD) begin();
        return;
      }
      e.preventDefault();
      update();
    };
    const onUp = (e: PointerEvent) => {
      const state = live.current;
      if (!state || e.pointerId !== state.pointerId) return;
      if (state.started) {
        suppressClick.current = true;
        setTimeout(() => (suppressClick.current = false), 0);
        const { card, target } = state;
        cleanup();
        if (target && !isNoop(card, target, latest.current.shown(target.status))) latest.current.onDrop(card, target);
      } else {
        cleanup();
      }
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && live.current?.started) {
        e.preventDefault();
        cleanup();
      }
    };
    window.addEventListener('pointermove', onMove, { passive: false });
    window.addEventListener('pointerup', onUp);
    window.addEventListener('pointercancel', cleanup);
    window.addEventListener('keydown', onKey, true);
    return () => {
      window.removeEventListener('pointermove', onMove);
      window.removeEventListener('pointerup', onUp);
      window.removeEventListener('pointercancel', cleanup);
      window.removeEventListener('keydown', onKey, true);
    };
  }, [begin, cleanup, update]);

  useEffect(() => cleanup, [cleanup]);

  const onPointerDown = useCallback(
    (e: ReactPointerEvent<HTMLDivElement>, card: Card) => {
      if (!enabled || e.button !== 0 || live.current) return;
      live.current = {
        card,
        element: e.currentTarget,
        pointerId: e.pointerId,
        startX: e.clientX,
        startY: e.clientY,
        x: e.clientX,
        y: e.clientY,
        started: false,
      };
      if (e.pointerType === 'touch') live.current.pressTimer = setTimeout(begin, LONG_PRESS_MS);
    },
    [enabled, begin],
  );

  /** True (once) right after a drag, so the click that ends it does not open the card. */
  const consumeClick = useCallback(() => {
    const was = suppressClick.current;
    suppressClick.current = false;
    return was;
  }, []);

  return { drag, onPointerDown, consumeClick };
}
