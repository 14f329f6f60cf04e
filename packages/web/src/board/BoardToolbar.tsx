/** The board's search and quick filters; their values live in the page's URL so a filtered view can be shared. */
import { MANIFEST, fieldOf } from '@prodboard/shared';
import { useEffect, useState } from 'react';
import { setQuery } from '../app/router.js';
import { count } from '../ui/format.js';
import { Icon } from '../ui/icons.js';
import { ASSIGNED_TO_ME, DUE_CHOICES, UNASSIGNED, hasFilters, type CardFilters } from './filters.js';
import { useMembers } from './members.js';

const PRIORITIES = fieldOf(MANIFEST.card, 'priority')?.values ?? [];

interface Props {
  q: string;
  filters: CardFilters;
  /** Free-text assignees of the loaded cards that name no member. */
  assignees: readonly string[];
  tags: readonly string[];
  shown: number;
  total: number;
  searching: boolean;
}

export function BoardToolbar({ q, filters, assignees, tags, shown, total, searching }: Props) {
  const members = useMembers();
  const [text, setText] = useState(q);
  useEffect(() => setText(q), [q]);
  useEffect(() => {
    const timer = setTimeout(() => text !== q && setQuery({ q: text.trim() }), 250);
    return () => clearTimeout(timer);
  }, [text, q]);

  const active = hasFilters(filters) || q !== '';
  const select = (name: keyof CardFilters, label: string, options: Array<{ value: string; label: string }>) => (
    <label className={`filter${filters[name] ? ' filter-on' : ''}`}>
      <span className="visually-hidden">{label}</span>
      <select className="input input-small" value={filters[name] ?? ''} onChange={(e) => setQuery({ [name]: e.target.value })}>
        <option value="">{label}: any</option>
        {/* The closed select shows only the chosen option, so each says which filter it is ("Priority: High"). */}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {label}: {o.label}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <div className="board-toolbar" role="search" aria-label="Search and filter cards">
      <label className="search">
        <Icon name="search" />
        <span className="visually-hidden">Search cards</span>
        <input className="input input-small" type="search" placeholder="Search cards" value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      {select('assignee', 'Assignee', [
        { value: ASSIGNED_TO_ME, label: 'Me' },
        { value: UNASSIGNED, label: 'Unassigned' },
        ...members.list.map((m) => ({ value: m.user_id, label: m.name })),
        ...assignees.map((a) => ({ value: a, label: `${a} (unmatched)` })),
      ])}
      {select('priority', 'Priority', PRIORITIES.map((p) => ({ value: p, label: p.charAt(0).toUpperCase() + p.slice(1) })))}
      {select('tag', 'Tag', tags.map((t) => ({ value: t, label: t })))}
      {select('due', 'Due', DUE_CHOICES.map((d) => ({ value: d.value, label: d.label })))}
      {active && (
        <>
          <span className="filter-summary" aria-live="polite">
            {searching ? 'Searching…' : `${count(shown)} of ${count(total)} cards`}
          </span>
          <button type="button" className="btn btn-ghost btn-small" onClick={() => setQuery({ q: '', assignee: '', priority: '', tag: '', due: '' })}>
            Clear
          </button>
        </>
      )}
    </div>
  );
}
