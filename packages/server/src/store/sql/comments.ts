/**
 * Comments on cards, and a card's history: the same SQL on both stores (see executor.ts).
 * Each function is the Store method of its name (documented in types.ts), over a handle's executor.
 */
import type { ActivityRow, CommentRow } from '../types.js';
import type { Executor } from './executor.js';
import { json, type Row } from './rows.js';

const COLUMNS = 'id, workspace_id, card_id, author_id, body, mentions, search_text, created_at, updated_at, version';

function toComment(row: Row): CommentRow {
  return { ...(row as unknown as CommentRow), mentions: json<CommentRow['mentions']>(row.mentions), version: Number(row.version) };
}

export async function insertComment(x: Executor, row: CommentRow): Promise<void> {
  await x.run(`INSERT INTO comments (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    row.id, row.workspace_id, row.card_id, row.author_id, row.body, JSON.stringify(row.mentions), row.search_text, row.created_at, row.updated_at, row.version,
  ]);
}

export async function getComment(x: Executor, workspaceId: string, id: string): Promise<CommentRow | undefined> {
  const row = await x.get<Row>(`SELECT ${COLUMNS} FROM comments WHERE id = ? AND workspace_id = ?`, [id, workspaceId]);
  return row ? toComment(row) : undefined;
}

export async function listComments(x: Executor, workspaceId: string, cardId: string): Promise<CommentRow[]> {
  const rows = await x.all<Row>(`SELECT ${COLUMNS} FROM comments WHERE card_id = ? AND workspace_id = ? ORDER BY created_at, id`, [cardId, workspaceId]);
  return rows.map(toComment);
}

export async function updateComment(x: Executor, row: CommentRow, expectedVersion: number): Promise<boolean> {
  const changed = await x.run(
    'UPDATE comments SET body = ?, mentions = ?, search_text = ?, updated_at = ?, version = ? WHERE id = ? AND workspace_id = ? AND version = ?',
    [row.body, JSON.stringify(row.mentions), row.search_text, row.updated_at, row.version, row.id, row.workspace_id, expectedVersion],
  );
  return changed === 1;
}

export async function deleteComment(x: Executor, workspaceId: string, id: string): Promise<boolean> {
  return (await x.run('DELETE FROM comments WHERE id = ? AND workspace_id = ?', [id, workspaceId])) === 1;
}

export async function listObjectActivity(x: Executor, workspaceId: string, objectId: string, types: string[], limit: number): Promise<ActivityRow[]> {
  if (types.length === 0) return [];
  const rows = await x.all<Row>(
    `SELECT * FROM activity WHERE object_id = ? AND workspace_id = ? AND object_type IN (${types.map(() => '?').join(', ')}) ORDER BY seq DESC LIMIT ?`,
    [objectId, workspaceId, ...types, limit],
  );
  return rows.map((r) => ({ ...(r as unknown as ActivityRow), seq: Number(r.seq), changes: json<ActivityRow['changes']>(r.changes) }));
}

