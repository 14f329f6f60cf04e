/**
 * SQLite schema, as numbered migrations. Append new ones; never edit one that has shipped.
 *
 * Objects keep their model fields as JSON in `data`; expression indexes cover the filters and sorts
 * the manifest allows (see `sqliteField` in dialect.ts: the expressions must match exactly).
 */

/** One migration: a version number and the SQL that brings the schema to it. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE workspaces (
  id TEXT PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE memberships (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  created_at TEXT NOT NULL,
  PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id, created_at);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users(id),
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE access_tokens (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  name TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id),
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  scopes TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  last_used_at TEXT,
  revoked_at TEXT
);
CREATE INDEX access_tokens_user ON access_tokens (user_id, workspace_id, created_at);

CREATE TABLE objects (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  type TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'active',
  owned_by TEXT NOT NULL,
  created_by TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  is_archived INTEGER NOT NULL DEFAULT 0,
  is_deleted INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  deleted_at TEXT,
  deleted_with TEXT,
  data TEXT NOT NULL
);
CREATE INDEX objects_created ON objects (workspace_id, type, created_at, id) WHERE is_deleted = 0;
CREATE INDEX objects_updated ON objects (workspace_id, type, updated_at, id) WHERE is_deleted = 0;
CREATE INDEX objects_owner ON objects (workspace_id, type, owned_by) WHERE is_deleted = 0;
CREATE INDEX objects_trash ON objects (workspace_id, deleted_at) WHERE is_deleted = 1;
CREATE INDEX objects_deleted_with ON objects (deleted_with) WHERE deleted_with IS NOT NULL;
CREATE INDEX objects_board_name ON objects (workspace_id, type, json_extract(data, '$.name'), id) WHERE is_deleted = 0;
CREATE INDEX objects_card_column ON objects (
  workspace_id, type, json_extract(data, '$.board_id'), json_extract(data, '$.status'), json_extract(data, '$.position'), id
) WHERE is_deleted = 0;
CREATE INDEX objects_card_position ON objects (workspace_id, type, json_extract(data, '$.position'), id) WHERE is_deleted = 0;
CREATE INDEX objects_card_status ON objects (workspace_id, type, json_extract(data, '$.status'), id) WHERE is_deleted = 0;
CREATE INDEX objects_card_assignee ON objects (workspace_id, type, json_extract(data, '$.assignee'), id) WHERE is_deleted = 0;
CREATE INDEX objects_card_due ON objects (workspace_id, type, json_extract(data, '$.due_date'), id) WHERE is_deleted = 0;

-- Full-text search over each model's search_fields; rowid = objects.seq; kept by the store.
CREATE VIRTUAL TABLE objects_fts USING fts5 (title, body, tokenize = 'unicode61 remove_diacritics 2');

CREATE TABLE activity (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id TEXT NOT NULL,
  actor_id TEXT,
  token_id TEXT,
  object_type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  action TEXT NOT NULL,
  changes TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX activity_workspace ON activity (workspace_id, seq);
CREATE INDEX activity_object ON activity (object_id, seq);

CREATE TABLE idempotency_keys (
  workspace_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  response TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (workspace_id, user_id, key)
);
CREATE INDEX idempotency_created ON idempotency_keys (created_at);

CREATE TABLE login_failures (
  key TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

CREATE TABLE analytics_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  received_at TEXT NOT NULL,
  device_id TEXT,
  type TEXT NOT NULL,
  payload TEXT NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'invitations',
    sql: `
-- One-time invite links: only the token's hash is kept; accepted, revoked or expired links stop working.
CREATE TABLE invitations (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  token_hash TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
  email TEXT,
  created_by TEXT NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  accepted_at TEXT,
  accepted_by TEXT REFERENCES users(id),
  revoked_at TEXT
);
CREATE INDEX invitations_workspace ON invitations (workspace_id, created_at);
`,
  },
  {
    version: 3,
    name: 'session chains',
    sql: `
-- A renewed session has one successor in the same chain (family_id: the login session's id), and
-- logout ends the chain. parent_id links a successor to the session it replaces until its first use;
-- renewed_at marks a session that has its successor; renewal_salt derives that successor's token.
ALTER TABLE sessions ADD COLUMN family_id TEXT;
ALTER TABLE sessions ADD COLUMN parent_id TEXT;
ALTER TABLE sessions ADD COLUMN renewed_at TEXT;
ALTER TABLE sessions ADD COLUMN renewal_salt TEXT;
UPDATE sessions SET family_id = id, renewal_salt = lower(hex(randomblob(16)));
CREATE INDEX sessions_family ON sessions (family_id);
`,
  },
  {
    version: 4,
    name: 'email keys',
    sql: `
-- Emails match by a key the store computes in JS (store/email.ts), the same on both stores; the
-- store fills it for existing users in this migration's transaction.
ALTER TABLE users ADD COLUMN email_key TEXT;
CREATE UNIQUE INDEX users_email_key ON users (email_key);
`,
  },
  {
    version: 5,
    name: 'sessions by expiry',
    sql: `
-- The periodic sweep (store/sweeper.ts) deletes expired sessions.
CREATE INDEX sessions_expires ON sessions (expires_at);
`,
  },
  {
    version: 6,
    name: 'oauth',
    sql: `
-- OAuth 2.1 (src/oauth): every piece of state is a row, so any instance serves any step. Codes and
-- tokens are kept only as SHA-256 hashes. A client is registered (RFC 7591) or named by the URL of
-- its metadata document; a grant is one user's consent to one client in one workspace; a request is
-- one authorization in flight until its code is exchanged.
CREATE TABLE oauth_clients (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('registered', 'metadata_document')),
  name TEXT NOT NULL,
  redirect_uris TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE oauth_grants (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES oauth_clients(id),
  user_id TEXT NOT NULL REFERENCES users(id),
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  scopes TEXT NOT NULL,
  resource TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
);
CREATE INDEX oauth_grants_user ON oauth_grants (user_id, workspace_id, created_at);
CREATE TABLE oauth_requests (
  id TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES oauth_clients(id),
  redirect_uri TEXT NOT NULL,
  scopes TEXT NOT NULL,
  state TEXT,
  code_challenge TEXT NOT NULL,
  resource TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  decided_at TEXT,
  grant_id TEXT REFERENCES oauth_grants(id),
  code_hash TEXT UNIQUE,
  code_expires_at TEXT,
  code_used_at TEXT
);
CREATE TABLE oauth_tokens (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
  grant_id TEXT NOT NULL REFERENCES oauth_grants(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT,
  revoked_at TEXT
);
CREATE INDEX oauth_tokens_grant ON oauth_tokens (grant_id);
`,
  },
  {
    version: 7,
    name: 'comments',
    sql: `
-- Comments on cards (Markdown bodies). They stay with their card: hidden while it is in the trash,
-- back when it is restored. search_text is the body folded for search (foldForSearch); the store
-- adds it to the card's full-text entry so a card search finds a card by its comments.
CREATE TABLE comments (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id),
  card_id TEXT NOT NULL REFERENCES objects(id),
  author_id TEXT NOT NULL REFERENCES users(id),
  body TEXT NOT NULL,
  mentions TEXT NOT NULL DEFAULT '[]',
  search_text TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX comments_card ON comments (card_id, created_at, id);
`,
  },
  {
    version: 8,
    name: 'assignees as members',
    sql: `
-- Cards get assignees (member user ids); the data step turning free-text assignees that name a
-- member into that member runs in JS on both stores (store/assignee-migration.ts).
`,
  },
  {
    version: 9,
    name: 'human keys',
    sql: `
-- Human identifiers (issue 12). objects.key: a board's key (WEB) or a card's (WEB-42), null
-- otherwise. board_keys: every key a board has had, current and renamed, so old keys keep resolving.
-- board_counters: the last card number given on a board (a row lock makes numbers unique across
-- instances). card_numbers: every number a card has had, on every board it has been on, so its key
-- from before a move keeps resolving. The store fills all of these for existing boards and cards, and
-- re-indexes search text (CJK runs are now split into pairs: foldForSearch), in this migration's transaction.
ALTER TABLE objects ADD COLUMN key TEXT;
CREATE TABLE board_keys (
  workspace_id TEXT NOT NULL,
  key TEXT NOT NULL,
  board_id TEXT NOT NULL,
  PRIMARY KEY (workspace_id, key)
);
CREATE INDEX board_keys_board ON board_keys (board_id);
CREATE TABLE board_counters (
  board_id TEXT PRIMARY KEY,
  last_number INTEGER NOT NULL
);
CREATE TABLE card_numbers (
  board_id TEXT NOT NULL,
  number INTEGER NOT NULL,
  card_id TEXT NOT NULL,
  PRIMARY KEY (board_id, number)
);
CREATE INDEX card_numbers_card ON card_numbers (card_id, board_id);
`,
  },
  {
    version: 10,
    name: 'password resets',
    sql: `
-- One-time password reset links (issue 13): an owner or admin issues one for a member, or the
-- prodboard CLI for any account. Only the token's hash is kept; a link expires and works once.
-- workspace_id is where the person lands after setting the password (null: their first workspace).
CREATE TABLE password_resets (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users(id),
  workspace_id TEXT REFERENCES workspaces(id),
  created_by TEXT REFERENCES users(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);
`,
  },
  {
    version: 11,
    name: 'cheaper card writes',
    sql: `
-- A card create wrote about 33 pages to the WAL where it wrote 29 before card keys (issue 10): each
-- is written and checkpointed. card_numbers and board_counters become WITHOUT ROWID tables (the
-- primary key is the table: no separate b-tree to keep), and objects_board_name keeps only objects
-- that have a name (boards, columns): cards, which have none, no longer enter it. A query that
-- filters on the name still implies the condition; a board list sorted by name reads the workspace's
-- boards through objects_created and sorts them.
CREATE TABLE card_numbers_new (
  board_id TEXT NOT NULL,
  number INTEGER NOT NULL,
  card_id TEXT NOT NULL,
  PRIMARY KEY (board_id, number)
) WITHOUT ROWID;
INSERT INTO card_numbers_new (board_id, number, card_id) SELECT board_id, number, card_id FROM card_numbers;
DROP TABLE card_numbers;
ALTER TABLE card_numbers_new RENAME TO card_numbers;
CREATE INDEX card_numbers_card ON card_numbers (card_id, board_id);
CREATE TABLE board_counters_new (
  board_id TEXT PRIMARY KEY,
  last_number INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO board_counters_new (board_id, last_number) SELECT board_id, last_number FROM board_counters;
DROP TABLE board_counters;
ALTER TABLE board_counters_new RENAME TO board_counters;
DROP INDEX objects_board_name;
CREATE INDEX objects_board_name ON objects (workspace_id, type, json_extract(data, '$.name'), id)
  WHERE is_deleted = 0 AND json_extract(data, '$.name') IS NOT NULL;
`,
  },
  {
    version: 12,
    name: 'fewer writes per card',
    sql: `
-- Four b-trees a card create wrote to for nothing (issue 10: each is a page written to the WAL and
-- checkpointed on every create; a lone client's create cost more than before card keys).
--
-- A board's next card number is one past the highest in card_numbers, read in the creating
-- transaction: SQLite's transactions never overlap, so board_counters (an UPDATE and a page per card)
-- has nothing left to do (PostgreSQL keeps it: its row lock orders concurrent creates). card_numbers
-- holds every number ever given, so none is reused.
DROP TABLE board_counters;
-- objects_card_assignee keeps only cards with the legacy free-text assignee (migration 8 moved
-- matched ones to assignees, which clients send; the old field is still accepted, rarely sent): it serves the data__assignee filter, which
-- implies the condition, and no sort.
DROP INDEX objects_card_assignee;
CREATE INDEX objects_card_assignee ON objects (workspace_id, type, json_extract(data, '$.assignee'), id)
  WHERE is_deleted = 0 AND json_extract(data, '$.assignee') IS NOT NULL;
-- The search index keeps no copy of the text (content = ''): nothing reads it back (searches match
-- and rank, bm25 from the index and the sizes), and an entry is deleted by rowid (contentless_delete).
-- The store indexes every object again in this migration's transaction.
DROP TABLE objects_fts;
CREATE VIRTUAL TABLE objects_fts USING fts5 (title, body, tokenize = 'unicode61 remove_diacritics 2', content = '', contentless_delete = 1);
-- activity's seq without AUTOINCREMENT: the same ids (one past the highest; no activity row is ever
-- deleted), without rewriting sqlite_sequence on every write. The table is copied as it is.
CREATE TABLE activity_new (
  seq INTEGER PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  actor_id TEXT,
  token_id TEXT,
  object_type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  action TEXT NOT NULL,
  changes TEXT NOT NULL,
  created_at TEXT NOT NULL
);
INSERT INTO activity_new (seq, workspace_id, actor_id, token_id, object_type, object_id, action, changes, created_at)
  SELECT seq, workspace_id, actor_id, token_id, object_type, object_id, action, changes, created_at FROM activity ORDER BY seq;
DROP TABLE activity;
ALTER TABLE activity_new RENAME TO activity;
CREATE INDEX activity_workspace ON activity (workspace_id, seq);
CREATE INDEX activity_object ON activity (object_id, seq);
`,
  },
];
