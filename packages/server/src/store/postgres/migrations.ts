/**
 * PostgreSQL schema, as numbered migrations with the same versions and meaning as SQLite's.
 * Append new ones; never edit one that has shipped.
 *
 * Timestamps are ISO 8601 UTC text, as on SQLite, so both stores sort and page identically; strings
 * compared in sorts use the C collation for the same reason. `data` is jsonb; expression indexes must
 * match `pgField` in dialect.ts exactly.
 */
import type { Migration } from '../sqlite/migrations.js';

export const PG_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE workspaces (
  id TEXT COLLATE "C" PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE users (
  id TEXT COLLATE "C" PRIMARY KEY,
  email TEXT NOT NULL,
  name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (lower(email));

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
  scopes JSONB NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  last_used_at TEXT,
  revoked_at TEXT
);
CREATE INDEX access_tokens_user ON access_tokens (user_id, workspace_id, created_at);

CREATE TABLE objects (
  id TEXT COLLATE "C" PRIMARY KEY,
  workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id),
  type TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL DEFAULT 'active',
  owned_by TEXT COLLATE "C" NOT NULL,
  created_by TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  is_archived BOOLEAN NOT NULL DEFAULT false,
  is_deleted BOOLEAN NOT NULL DEFAULT false,
  created_at TEXT COLLATE "C" NOT NULL,
  updated_at TEXT COLLATE "C" NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  deleted_at TEXT COLLATE "C",
  deleted_with TEXT,
  data JSONB NOT NULL,
  search TSVECTOR NOT NULL DEFAULT ''::tsvector
);
CREATE INDEX objects_created ON objects (workspace_id, type, created_at, id) WHERE NOT is_deleted;
CREATE INDEX objects_updated ON objects (workspace_id, type, updated_at, id) WHERE NOT is_deleted;
CREATE INDEX objects_owner ON objects (workspace_id, type, owned_by) WHERE NOT is_deleted;
CREATE INDEX objects_trash ON objects (workspace_id, deleted_at) WHERE is_deleted;
CREATE INDEX objects_deleted_with ON objects (deleted_with) WHERE deleted_with IS NOT NULL;
CREATE INDEX objects_board_name ON objects (workspace_id, type, ((data->>'name') COLLATE "C"), id) WHERE NOT is_deleted;
CREATE INDEX objects_card_column ON objects (
  workspace_id, type, (data->>'board_id'), (data->>'status'), ((data->>'position')::float8) NULLS FIRST, id
) WHERE NOT is_deleted;
CREATE INDEX objects_card_position ON objects (workspace_id, type, ((data->>'position')::float8) NULLS FIRST, id) WHERE NOT is_deleted;
CREATE INDEX objects_card_status ON objects (workspace_id, type, ((data->>'status') COLLATE "C"), id) WHERE NOT is_deleted;
CREATE INDEX objects_card_assignee ON objects (workspace_id, type, (data->>'assignee'), id) WHERE NOT is_deleted;
CREATE INDEX objects_card_due ON objects (workspace_id, type, ((data->>'due_date') COLLATE "C"), id) WHERE NOT is_deleted;
CREATE INDEX objects_tags ON objects USING gin ((data->'tags'));
CREATE INDEX objects_search ON objects USING gin (search);

CREATE TABLE activity (
  seq BIGSERIAL PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  actor_id TEXT,
  token_id TEXT,
  object_type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  action TEXT NOT NULL,
  changes JSONB NOT NULL,
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
  at BIGINT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

CREATE TABLE analytics_events (
  id BIGSERIAL PRIMARY KEY,
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
ALTER TABLE sessions ADD COLUMN family_id TEXT, ADD COLUMN parent_id TEXT, ADD COLUMN renewed_at TEXT, ADD COLUMN renewal_salt TEXT;
UPDATE sessions SET family_id = id, renewal_salt = replace(gen_random_uuid()::text, '-', '');
CREATE INDEX sessions_family ON sessions (family_id);
`,
  },
  {
    version: 4,
    name: 'email keys',
    sql: `
-- Emails match by a key the store computes in JS (store/email.ts), the same on both stores (lower()
-- depends on the database's locale); the store fills it for existing users in this transaction.
ALTER TABLE users ADD COLUMN email_key TEXT;
CREATE UNIQUE INDEX users_email_key ON users (email_key);
DROP INDEX users_email;
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
-- Comments on cards; see the SQLite migration 7 for what each column is for.
CREATE TABLE comments (
  id TEXT COLLATE "C" PRIMARY KEY,
  workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id),
  card_id TEXT COLLATE "C" NOT NULL REFERENCES objects(id),
  author_id TEXT COLLATE "C" NOT NULL REFERENCES users(id),
  body TEXT NOT NULL,
  mentions JSONB NOT NULL DEFAULT '[]',
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
CREATE INDEX objects_assignees ON objects USING gin ((data->'assignees'));
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
-- objects_board_name keeps only objects that have a name (boards, columns): cards, which have none,
-- no longer enter it on every create (issue 10; the same on SQLite, where card_numbers and
-- board_counters also lose their rowid b-tree). A query that filters on the name implies the condition.
-- The new index is built before the old one is dropped: reads go on during the build (the DROP's
-- exclusive lock lasts only to the COMMIT that follows), and a large table may take longer to index
-- than the pool's statement timeout.
SET LOCAL statement_timeout = 0;
CREATE INDEX objects_board_name_named ON objects (workspace_id, type, ((data->>'name') COLLATE "C"), id)
  WHERE NOT is_deleted AND (data->>'name') IS NOT NULL;
DROP INDEX objects_board_name;
ALTER INDEX objects_board_name_named RENAME TO objects_board_name;
`,
  },
  {
    version: 12,
    name: 'fewer writes per card',
    sql: `
-- objects_card_assignee keeps only cards with the legacy free-text assignee (migration 8 moved
-- matched ones to assignees, which clients send; the old field is still accepted, rarely sent), so a card create or move no longer writes it
-- (issue 10; the same on SQLite, which also drops board_counters). It serves the data__assignee
-- filter, which implies the condition, and no sort. Built before the old one is dropped, as in 11.
SET LOCAL statement_timeout = 0;
CREATE INDEX objects_card_assignee_set ON objects (workspace_id, type, (data->>'assignee'), id)
  WHERE NOT is_deleted AND (data->>'assignee') IS NOT NULL;
DROP INDEX objects_card_assignee;
ALTER INDEX objects_card_assignee_set RENAME TO objects_card_assignee;
`,
  },
];
