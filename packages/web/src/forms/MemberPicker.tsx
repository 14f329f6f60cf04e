/**
 * Picks workspace members for a `members` field (a card's assignees): only members are offered, each
 * a checkbox with their avatar, so several can be chosen and nobody outside the workspace can be.
 * The value is the form's text form of the field: user ids joined by commas.
 */
import { useId } from 'react';
import { Avatar } from '../ui/Avatar.js';

/** A person the picker may offer. */
export interface PickableMember {
  id: string;
  name: string;
  email: string;
}

interface Props {
  label: string;
  name: string;
  value: string;
  members: readonly PickableMember[];
  /** The signed-in person, listed first as "(you)". */
  meId?: string;
  error?: string;
  onChange: (value: string) => void;
}

export function MemberPicker({ label, name, value, members, meId, error, onChange }: Props) {
  const errorId = useId();
  const chosen = value.split(',').filter(Boolean);
  const known = new Set(members.map((m) => m.id));
  // Someone assigned who is no longer a member stays listed (checked) so they can be taken off.
  const offered: PickableMember[] = [
    ...members.filter((m) => m.id === meId),
    ...members.filter((m) => m.id !== meId),
    ...chosen.filter((id) => !known.has(id)).map((id) => ({ id, name: 'Former member', email: '' })),
  ];
  const toggle = (id: string, on: boolean) => onChange((on ? [...chosen, id] : chosen.filter((c) => c !== id)).join(','));
  return (
    <fieldset className={`field field-wide member-picker${error ? ' field-invalid' : ''}`} aria-describedby={error ? errorId : undefined}>
      <legend className="field-label">{label}</legend>
      {offered.length === 0 ? (
        <p className="field-hint">Loading members…</p>
      ) : (
        <ul className="member-options">
          {offered.map((m) => (
            <li key={m.id}>
              <label className="member-option" title={m.email || undefined}>
                <input type="checkbox" name={name} value={m.id} checked={chosen.includes(m.id)} onChange={(e) => toggle(m.id, e.target.checked)} />
                <Avatar name={m.name} size={22} />
                <span>
                  {m.name}
                  {m.id === meId && ' (you)'}
                </span>
              </label>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
    </fieldset>
  );
}
