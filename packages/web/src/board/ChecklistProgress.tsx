/** A checklist's progress: "3/5" and a bar, on the card front and above the checklist in the panel. */
import { checklistProgress } from '@prodboard/shared';

export function ChecklistProgress({ checklist, className = '' }: { checklist: unknown; className?: string }) {
  const { done, total } = checklistProgress(checklist);
  if (total === 0) return null;
  const complete = done === total;
  return (
    <span className={`checklist-progress${complete ? ' checklist-complete' : ''} ${className}`} title={`Checklist: ${done} of ${total} done`}>
      <span className="visually-hidden">Checklist: </span>
      <span className="checklist-count">
        {done}/{total}
      </span>
      <span className="visually-hidden"> done</span>
      <span className="checklist-bar" aria-hidden="true">
        <span className="checklist-bar-fill" style={{ width: `${Math.round((done / total) * 100)}%` }} />
      </span>
    </span>
  );
}
