/**
 * Migration 8's data step, the same on both stores: a card's free-text `assignee` that names exactly
 * one member of the card's workspace (by email or by name, ignoring case) becomes that member in
 * `assignees`, and the text goes. Text that names nobody, or several members with one name, stays
 * as it is, so the board keeps showing it (as unmatched) and nothing a person typed is lost.
 */
import type { Json } from '@prodboard/shared';
import { emailKey } from './email.js';

/** The name of the migration that runs this step (both stores). */
export const ASSIGNEES_MIGRATION = 'assignees as members';

/** A card as the migration reads it. */
export interface LegacyCard {
  id: string;
  workspace_id: string;
  data: Record<string, Json>;
}

/** A member as the migration matches it. */
export interface MemberIdentity {
  workspace_id: string;
  user_id: string;
  email: string;
  name: string;
}

/** The cards whose data changes, with their new data. */
export function migrateLegacyAssignees(cards: LegacyCard[], members: MemberIdentity[]): Array<{ id: string; data: Record<string, Json> }> {
  // workspace → folded email or name → the user ids it names.
  const index = new Map<string, Map<string, Set<string>>>();
  for (const m of members) {
    let byText = index.get(m.workspace_id);
    if (!byText) index.set(m.workspace_id, (byText = new Map()));
    for (const text of [emailKey(m.email), emailKey(m.name)]) {
      if (text === '') continue;
      const ids = byText.get(text) ?? new Set<string>();
      ids.add(m.user_id);
      byText.set(text, ids);
    }
  }
  const changed: Array<{ id: string; data: Record<string, Json> }> = [];
  for (const card of cards) {
    const text = card.data.assignee;
    if (typeof text !== 'string') continue;
    const ids = index.get(card.workspace_id)?.get(emailKey(text));
    if (!ids || ids.size !== 1) continue;
    const [userId] = ids;
    const before = Array.isArray(card.data.assignees) ? (card.data.assignees as string[]) : [];
    const { assignee: _dropped, ...rest } = card.data;
    changed.push({ id: card.id, data: { ...rest, assignees: before.includes(userId) ? before : [...before, userId] } });
  }
  return changed;
}
