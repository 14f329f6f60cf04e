/**
 * One card on the board: its title on up to three lines, and what matters at a glance: priority,
 * due date, tags (wrapped, never cut), checklist progress, and the assignees' avatars (a free-text
 * assignee from before members, as it was typed). It is as tall as its content; the column places it
 * at `top` (card-layout.ts) and measures it once drawn.
 */
import { memo, type KeyboardEvent, type PointerEvent } from 'react';
import type { Card } from '../api/types.js';
import { Avatar } from '../ui/Avatar.js';
import { shortDate } from '../ui/format.js';
import { ChecklistProgress } from './ChecklistProgress.js';
import { dueState } from './filters.js';
import { memberName, useMembers } from './members.js';

/** Avatars shown before "+n". */
const MAX_AVATARS = 3;

interface Props {
  card: Card;
  index: number;
  /** Where the card sits in its list, in pixels from the first card's top. */
  top: number;
  total: number;
  focusable: boolean;
  dragging: boolean;
  pending: boolean;
  onPointerDown: (e: PointerEvent<HTMLDivElement>, card: Card) => void;
  onKeyDown: (e: KeyboardEvent<HTMLDivElement>, card: Card) => void;
  onOpen: (card: Card) => void;
}

const DUE_LABEL = { overdue: 'Overdue', today: 'Due today', soon: 'Due soon', later: 'Due' } as const;

export const CardItem = memo(function CardItem({ card, index, top, total, focusable, dragging, pending, onPointerDown, onKeyDown, onOpen }: Props) {
  const { title, priority, due_date: due, tags = [], assignee, assignees = [], checklist } = card.data;
  const members = useMembers();
  const names = assignees.map((id) => memberName(members, id));
  const due_ = dueState(due);
  return (
    <li className="card-slot" style={{ transform: `translateY(${top}px)` }} aria-posinset={index + 1} aria-setsize={total}>
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
        <span className="card-head">
          <span className="card-title">{title}</span>
          {card.key && <span className="card-key">{card.key}</span>}
        </span>
        <span className="card-meta">
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
          <ChecklistProgress checklist={checklist} />
          {(names.length > 0 || assignee) && (
            <span className="card-assignees">
              <span className="visually-hidden">Assigned to {[...names, ...(assignee ? [`${assignee} (unmatched)`] : [])].join(', ')}</span>
              {names.slice(0, MAX_AVATARS).map((name, i) => (
                <Avatar key={assignees[i]} name={name} size={22} />
              ))}
              {names.length > MAX_AVATARS && (
                <span className="avatar avatar-more" aria-hidden="true">
                  +{names.length - MAX_AVATARS}
                </span>
              )}
              {assignee && (
                <span className="card-unmatched" title={`${assignee} (not a member)`} aria-hidden="true">
                  <Avatar name={assignee} size={22} />
                </span>
              )}
            </span>
          )}
        </span>
      </div>
    </li>
  );
});
