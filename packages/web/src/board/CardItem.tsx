/**
 * One card on the board: a fixed height (so long columns can be virtualised by arithmetic), its title
 * on up to two lines, and a line of what matters at a glance: priority, due date, tags, assignee.
 */
import { memo, type KeyboardEvent, type PointerEvent } from 'react';
import type { Card } from '../api/types.js';
import { Avatar } from '../ui/Avatar.js';
import { shortDate } from '../ui/format.js';
import { dueState } from './filters.js';

/** The height of a card plus the gap below it: the virtual list's row height. */
export const CARD_SLOT = 96;

interface Props {
  card: Card;
  index: number;
  total: number;
  focusable: boolean;
  dragging: boolean;
  pending: boolean;
  onPointerDown: (e: PointerEvent<HTMLDivElement>, card: Card) => void;
  onKeyDown: (e: KeyboardEvent<HTMLDivElement>, card: Card) => void;
  onOpen: (card: Card) => void;
}

const DUE_LABEL = { overdue: 'Overdue', today: 'Due today', soon: 'Due soon', later: 'Due' } as const;

export const CardItem = memo(function CardItem({ card, index, total, focusable, dragging, pending, onPointerDown, onKeyDown, onOpen }: Props) {
  const { title, priority, due_date: due, tags = [], assignee } = card.data;
  const due_ = dueState(due);
  return (
    <li className="card-slot" style={{ transform: `translateY(${index * CARD_SLOT}px)` }} aria-posinset={index + 1} aria-setsize={total}>
      <div
        className={`card${dragging ? ' card-dragging' : ''}${pending ? ' card-pending' : ''}`}
        role="button"
        tabIndex={focusable ? 0 : -1}
        data-card-id={card.id}
        aria-describedby="board-keyboard-help"
        onPointerDown={(e) => onPointerDown(e, card)}
        onKeyDown={(e) => onKeyDown(e, card)}
        onClick={() => onOpen(card)}
      >
        <span className="card-title">{title}</span>
        <span className="card-meta">
          {card.key && <span className="card-key">{card.key}</span>}
          {priority && <span className={`pill pill-${priority}`}>{priority}</span>}
          {due && due_ && (
            <span className={`due due-${due_}`} title={`${DUE_LABEL[due_]} ${due}`}>
              <span className="visually-hidden">{DUE_LABEL[due_]} </span>
              {shortDate(due)}
            </span>
          )}
          {tags.slice(0, 2).map((t) => (
            <span key={t} className="tag tag-small">
              {t}
            </span>
          ))}
          {tags.length > 2 && <span className="tag tag-small">+{tags.length - 2}</span>}
          {assignee && (
            <span className="card-assignee">
              <span className="visually-hidden">Assigned to {assignee}</span>
              <Avatar name={assignee} size={22} />
            </span>
          )}
        </span>
      </div>
    </li>
  );
});
