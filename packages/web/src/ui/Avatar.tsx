/** A person's initials in their colour. */
import { personColor } from './accents.js';
import { initials } from './format.js';

export function Avatar({ name, size = 24 }: { name: string; size?: number }) {
  return (
    <span className="avatar" style={{ background: personColor(name), width: size, height: size, fontSize: size * 0.42 }} title={name} aria-hidden="true">
      {initials(name)}
    </span>
  );
}
