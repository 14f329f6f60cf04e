/**
 * Toolsets: which tools a connection lists. The default set is the everyday work on cards and
 * stays within the reference client's tools/list size (7,647 bytes of compact JSON) however many
 * tools exist; the others are asked for by name (prodmcp --toolsets, /mcp ?toolsets=).
 */

/** Every toolset, with what it holds (shown in help texts and in the error for an unknown name). */
export const TOOLSETS = {
  default: 'everyday card work: board_overview, card_list/get/create/update/move, card_create_many, card_update_many, activity_list, comment_add/list, whoami',
  boards: 'board_list, board_get, board_create, board_update, board_delete',
  cards: 'card_delete and the default card tools',
  trash: 'trash_list, trash_restore',
  reference: "the reference client's 11 tools with its argument and result shapes (board_* and card_* list/get/create/update/delete, whoami)",
  all: 'every tool (the default card tools win over the reference ones of the same name unless reference is asked for)',
} as const;

/** A toolset's name. */
export type ToolsetName = keyof typeof TOOLSETS;

/** Which tools to list: toolsets (default: ['default']) and whether to leave out every write tool. */
export interface ToolSelection {
  toolsets?: string[];
  readOnly?: boolean;
}

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off', ''];

/** One line naming the toolsets, for help texts. */
export function toolsetHelp(): string {
  return Object.entries(TOOLSETS).map(([name, what]) => `${name} (${what})`).join('; ');
}

/**
 * A selection from its text form (a flag, an environment variable, a query parameter):
 * `toolsets` is a comma-separated list of names, `readOnly` 1/true/yes/on or 0/false/no/off.
 * Absent or null values mean the default. An unknown name or value is an error naming the valid ones.
 */
export function parseToolSelection(raw: { toolsets?: string | null; readOnly?: string | null }): { selection: ToolSelection } | { error: string } {
  const selection: ToolSelection = {};
  if (raw.toolsets !== undefined && raw.toolsets !== null) {
    const names = raw.toolsets.split(',').map((n) => n.trim().toLowerCase()).filter((n) => n.length > 0);
    if (names.length === 0) return { error: `toolsets is empty; give one or more of: ${Object.keys(TOOLSETS).join(', ')} (comma-separated)` };
    const unknown = names.filter((n) => !Object.hasOwn(TOOLSETS, n));
    if (unknown.length > 0) {
      return { error: `unknown toolset${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n.slice(0, 40)}"`).join(', ')}; the toolsets are: ${Object.keys(TOOLSETS).join(', ')}` };
    }
    selection.toolsets = [...new Set(names)];
  }
  if (raw.readOnly !== undefined && raw.readOnly !== null) {
    const value = raw.readOnly.trim().toLowerCase();
    if (TRUE.includes(value)) selection.readOnly = true;
    else if (FALSE.includes(value)) selection.readOnly = false;
    else return { error: `read-only must be 1, true, yes or on (or 0, false, no, off); got "${raw.readOnly.slice(0, 40)}"` };
  }
  return { selection };
}
