/**
 * The board's right edge while columns lie beyond it: a fade over the cut-off column and a button
 * that names how many more there are and scrolls to the next one. Without it a phone shows one
 * column and nothing says there is a second.
 */
import { useEffect, useState, type RefObject } from 'react';
import { Icon } from '../ui/icons.js';

/** How many columns end beyond the board's visible right edge (a pixel of rounding forgiven). */
function columnsBeyond(board: HTMLElement): number {
  const edge = board.getBoundingClientRect().right;
  let beyond = 0;
  for (const column of board.querySelectorAll(':scope > .column')) if (column.getBoundingClientRect().right > edge + 1) beyond++;
  return beyond;
}

export function MoreColumns({ board, columns }: { board: RefObject<HTMLDivElement | null>; columns: number }) {
  const [beyond, setBeyond] = useState(0);

  useEffect(() => {
    const el = board.current;
    if (!el) return;
    const measure = () => setBeyond(columnsBeyond(el));
    measure();
    el.addEventListener('scroll', measure, { passive: true });
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => {
      el.removeEventListener('scroll', measure);
      observer.disconnect();
    };
  }, [board, columns]);

  if (beyond === 0) return null;
  const next = () => {
    const el = board.current;
    const first = el?.querySelector<HTMLElement>(':scope > .column');
    if (el && first) el.scrollBy({ left: first.offsetWidth, behavior: 'smooth' });
  };
  return (
    <button type="button" className="more-columns" onClick={next} aria-label={`${beyond} more ${beyond === 1 ? 'column' : 'columns'} to the right: show the next`}>
      <span className="more-columns-count" aria-hidden="true">
        +{beyond}
      </span>
      <Icon name="right" size={18} />
    </button>
  );
}
