/**
 * The store interface: everything the server asks of its database. Routes and commands see only
 * this; the SQL of each dialect lives behind it (store/sqlite today, store/postgres next).
 *
 * Rule for callers: inside `transaction`, await only store calls, never network or timers, so a
 * transaction stays short (on SQLite everyone else's store calls wait for it). What the stores
 * enforce (store/transaction-guard.ts): calls from outside never join an open transaction, code
 * inside one must use its `tx` handle (calling the store itself there throws), and a handle is dead
 * once its transaction ended.
 */
import type { Json, ListQuery, Role, Scopes } from '@prodboard/shared';

/** A stored object (board, card) with its top-level columns and its model fields under `data`. */
export interface ObjectRow {
  id: string;
  workspace_id: string;
  type: string;
  status: string;
  owned_by: string;
  created_by: string;
  updated_by: string;
  is_archived: boolean;
  is_deleted: boolean;
  created_at: string;
  updated_at: string;
  version: number;
  /** When it went to the trash, and the id of the object whose deletion took it there. */
  deleted_at: string | null;
  deleted_with: string | null;
  data: Record<string, Json>;
  /** The human key (issue 12): a board's `WEB`, a card's `WEB-42`; set by the store's key methods only. */
  key?: string | null;
}

export interface WorkspaceRow {
  id: string;
  slug: string;
  name: string;
  created_at: string;
}

export interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  created_at: string;
  updated_at: string;
}

export interface MembershipRow {
  workspace_id: string;
  user_id: string;
  role: Role;
  created_at: string;
}

/** Who a member is and where: what authentication attaches to a request. */
export interface MemberContext {
  user: { id: string; email: string; name: string };
  workspace: WorkspaceRow;
  role: Role;
}

/** A membership with the member's name and email, for the members page. */
export interface MemberRow extends MembershipRow {
  email: string;
  name: string;
}

/** A one-time password reset link (the token itself is never stored). */
export interface PasswordResetRow {
  id: string;
  token_hash: string;
  user_id: string;
  /** Where the person lands once the password is set (null: their first workspace). */
  workspace_id: string | null;
  /** Who issued it (null: the prodboard CLI on the server). */
  created_by: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** A one-time invite link into a workspace (the token itself is never stored). */
export interface InvitationRow {
  id: string;
  workspace_id: string;
  token_hash: string;
  role: Role;
  /** When set, only this email may accept. */
  email: string | null;
  created_by: string;
  created_at: string;
  expires_at: string;
  accepted_at: string | null;
  accepted_by: string | null;
  revoked_at: string | null;
}

export interface SessionRow {
  id: string;
  token_hash: string;
  user_id: string;
  workspace_id: string;
  created_at: string;
  expires_at: string;
  /** The chain: the id of the login session it began with (that row may be long gone). Logout ends the chain. */
  family_id: string;
  /** The session this one replaced, until this one is first used (which ends that one after a grace period). */
  parent_id: string | null;
  /** When this session got its one successor, or null. */
  renewed_at: string | null;
  /** Random; with the token (never stored) it derives the successor's token (`successorToken`). */
  renewal_salt: string;
}

export interface AccessTokenRow {
  id: string;
  token_hash: string;
  /** The first characters of the token, safe to show in lists. */
  prefix: string;
  name: string;
  user_id: string;
  workspace_id: string;
  scopes: Scopes;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** An OAuth client: registered (RFC 7591, a random id) or named by its metadata document's URL. */
export interface OAuthClientRow {
  id: string;
  kind: 'registered' | 'metadata_document';
  name: string;
  redirect_uris: string[];
  created_at: string;
  updated_at: string;
}

/** One user's consent to one client in one workspace: what its tokens may do, until revoked. */
export interface OAuthGrantRow {
  id: string;
  client_id: string;
  user_id: string;
  workspace_id: string;
  /** Capped by the member's role at consent; requests are checked against the role again. */
  scopes: Scopes;
  /** The resource its access tokens are valid at (`<base>/mcp`). */
  resource: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** A grant as the Integrations page lists it. */
export interface OAuthGrantListRow extends OAuthGrantRow {
  client_name: string;
}

/** An authorization in flight: asked at /oauth/authorize, decided on the consent page, its code exchanged once. */
export interface OAuthRequestRow {
  id: string;
  client_id: string;
  redirect_uri: string;
  scopes: Scopes;
  state: string | null;
  /** The PKCE S256 challenge. */
  code_challenge: string;
  resource: string;
  created_at: string;
  expires_at: string;
  decided_at: string | null;
  grant_id: string | null;
  code_hash: string | null;
  code_expires_at: string | null;
  code_used_at: string | null;
}

/** An OAuth access or refresh token (only its hash is kept). */
export interface OAuthTokenRow {
  id: string;
  token_hash: string;
  kind: 'access' | 'refresh';
  grant_id: string;
  created_at: string;
  expires_at: string;
  /** A refresh token's one use (rotation): a second use is reuse, and revokes the grant. */
  used_at: string | null;
  revoked_at: string | null;
}

/** A token with its grant and, in the same read, the member the grant acts as. */
export interface OAuthTokenRecord {
  token: OAuthTokenRow;
  grant: OAuthGrantRow;
  member: MemberContext | undefined;
}

/**
 * A bearer token as authentication reads it: the token's row and, in the same read, the member it
 * acts as (undefined when the user is no longer a member of the token's workspace).
 */
export type CredentialRecord =
  | { kind: 'pat'; token: AccessTokenRow; member: MemberContext | undefined }
  | { kind: 'session'; token: SessionRow; member: MemberContext | undefined };

/** One recorded write: the audit trail and the outbox for live updates. */
export interface ActivityRow {
  seq: number;
  workspace_id: string;
  actor_id: string | null;
  token_id: string | null;
  object_type: string;
  object_id: string;
  action: 'create' | 'update' | 'delete' | 'restore' | 'respace';
  /** Changed fields: `{field: [before, after]}`. */
  changes: Record<string, [Json, Json]>;
  created_at: string;
}

export type NewActivity = Omit<ActivityRow, 'seq'>;

/** Told that a workspace has new activity up to `seq`. */
export type ActivityListener = (workspaceId: string, seq: number) => void;

/** How busy a store's connections are, for /metrics: PostgreSQL's pools, SQLite's one connection. */
export interface PoolStats {
  pool: string;
  /** Connections open (SQLite: 1). */
  total: number;
  /** Open and unused (SQLite: 1 when no transaction holds the connection). */
  idle: number;
  /** Callers waiting for a connection (SQLite: transactions queued behind the one running). */
  waiting: number;
}

export interface IdempotencyRow {
  request_hash: string;
  status: number;
  response: string;
  created_at: string;
}

/** One page of a list: `hasMore` is exact (the store reads one row past the page). */
export interface ListPage {
  rows: ObjectRow[];
  hasMore: boolean;
}

/** An object as its GET presents it (JSON written by the database), with what the route checks. */
export interface ObjectJson {
  json: string;
  version: number;
  is_deleted: boolean;
}

/** One page of a list as JSON: each object's presented JSON text, built by the database. */
export interface JsonPage {
  items: string[];
  /** The last object's id (the next page's `after`), or null for an empty page. */
  lastId: string | null;
  hasMore: boolean;
}

/** A list query with everything the server resolved (workspace, `owned_by=me`). */
export interface ObjectListQuery extends ListQuery {
  workspaceId: string;
  type: string;
  /** Only this object (a `q` that is a card's key, resolved: issue 12). */
  id?: string;
}

/** What a sweep deletes (see store/sweeper.ts): everything older than these limits. */
export interface SweepLimits {
  /** Idempotency keys created before this time (ISO). */
  idempotencyBefore: string;
  /** Sessions, OAuth tokens, OAuth requests and password reset links that expired before this time (ISO). */
  sessionsExpiredBefore: string;
  /** Login failures recorded before this time (ms since the epoch). */
  loginFailuresBefore: number;
  /** Telemetry events kept at most, the newest. */
  analyticsKeep: number;
  /** Rows deleted at most per table in one call (so no call holds the database for long). */
  batch: number;
}

/** Rows a sweep deleted, per table. */
export interface SweepCounts {
  idempotency: number;
  sessions: number;
  loginFailures: number;
  analytics: number;
  /** OAuth tokens and authorization requests. */
  oauth: number;
  /** Expired password reset links. */
  passwordResets: number;
}

/** The card column a card belongs to, for positions. */
export interface ColumnRef {
  workspaceId: string;
  boardId: string | null;
  status: string;
}

/** What a respace wrote: the mover's slot, and the respaced cards in order with their versions. */
export interface ColumnRespace {
  position: number;
  ids: string[];
  positions: number[];
  versions: number[];
}

/**
 * The store in groups (repositories). `Store` is all of them and its lifecycle; `StoreTx`, what a
 * transaction's handle offers, is all of them only. Every method is workspace-scoped where data is.
 * The plain CRUD is written once over both dialects (sql/sql-store.ts and the repositories beside it).
 */
/** Settings (one-time setup token and the like). */
export interface SettingsRepo {
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string | null): Promise<void>;
}

/** Workspaces, users and memberships. */
export interface AccountsRepo {
  countUsers(): Promise<number>;
  insertWorkspace(row: WorkspaceRow): Promise<void>;
  getWorkspace(id: string): Promise<WorkspaceRow | undefined>;
  getWorkspaceBySlug(slug: string): Promise<WorkspaceRow | undefined>;
  insertUser(row: UserRow): Promise<void>;
  getUser(id: string): Promise<UserRow | undefined>;
  /** Matched by email key (store/email.ts): any case, all of Unicode, the same on both stores. */
  getUserByEmail(email: string): Promise<UserRow | undefined>;
  updateUserPassword(id: string, passwordHash: string, at: string): Promise<void>;
  upsertMembership(row: MembershipRow): Promise<void>;
  getMembership(workspaceId: string, userId: string): Promise<MembershipRow | undefined>;
  /** The user's memberships, oldest first (the first is the default workspace at login). */
  listMemberships(userId: string): Promise<MembershipRow[]>;
  /** The workspace's members with name and email, oldest membership first. */
  listMembers(workspaceId: string): Promise<MemberRow[]>;
  /** Removes a membership; false when there was none. */
  deleteMembership(workspaceId: string, userId: string): Promise<boolean>;
  /** Sets a user's name and email (its email key follows). */
  updateUserProfile(id: string, profile: { name: string; email: string }, at: string): Promise<void>;
}

/** Password reset links. */
export interface PasswordResetsRepo {
  insertPasswordReset(row: PasswordResetRow): Promise<void>;
  getPasswordResetByHash(tokenHash: string): Promise<PasswordResetRow | undefined>;
  /** Marks an unused, unexpired link used at `at`; false when it was used already or expired. */
  consumePasswordReset(id: string, at: string): Promise<boolean>;
  /** Marks every unused link of the user used (a password was set some other way). */
  voidPasswordResets(userId: string, at: string): Promise<void>;
}

/** Invitations (one-time invite links). */
export interface InvitationsRepo {
  insertInvitation(row: InvitationRow): Promise<void>;
  getInvitation(workspaceId: string, id: string): Promise<InvitationRow | undefined>;
  getInvitationByHash(tokenHash: string): Promise<InvitationRow | undefined>;
  /** Invitations neither accepted nor revoked (expired ones included), newest first. */
  listPendingInvitations(workspaceId: string): Promise<InvitationRow[]>;
  /** Marks a pending invitation accepted; false when it was already accepted or revoked. */
  acceptInvitation(id: string, userId: string, at: string): Promise<boolean>;
  /** Marks a pending invitation revoked; false when it was already accepted or revoked. */
  revokeInvitation(id: string, at: string): Promise<boolean>;
}

/** Sessions, personal access tokens and the credential read of authentication. */
export interface CredentialsRepo {
  insertSession(row: SessionRow): Promise<void>;
  /** Shortens a session's life (after rotation, for requests already in flight). */
  expireSession(id: string, expiresAt: string): Promise<void>;
  deleteSessions(userId: string): Promise<void>;
  /**
   * A member left a workspace: their sessions there are deleted, their personal access tokens and
   * OAuth grants (with the grants' tokens) there revoked, all at once (cached credentials drop).
   */
  endMemberCredentials(userId: string, workspaceId: string, at: string): Promise<void>;
  /**
   * Gives `parent` its one successor, serialised with `endSessionChain` and `deleteSessions` of its user:
   * 'renewed' when `successor` was inserted now, 'already' when the parent has its successor, 'ended'
   * when the parent is no longer valid at `at` (nothing is inserted then).
   */
  renewSession(parent: SessionRow, successor: SessionRow, at: string): Promise<'renewed' | 'already' | 'ended'>;
  /** A successor's first use: its parent stops at `graceUntil` (if not sooner) and the link is dropped. */
  retireParentSession(id: string, graceUntil: string): Promise<void>;
  /** Logout: the session and every session of its chain (before or after it) end at `at`. */
  endSessionChain(id: string, at: string): Promise<void>;
  insertAccessToken(row: AccessTokenRow): Promise<void>;
  getAccessToken(id: string): Promise<AccessTokenRow | undefined>;
  listAccessTokens(userId: string, workspaceId: string): Promise<AccessTokenRow[]>;
  /**
   * A token and its member in one read, for authentication. May be served from the store's credential
   * cache, which every change to tokens, sessions, users or memberships invalidates (on PostgreSQL,
   * on every instance through NOTIFY).
   */
  getCredential(kind: 'pat' | 'session', tokenHash: string): Promise<CredentialRecord | undefined>;
  touchAccessToken(id: string, at: string): Promise<void>;
  revokeAccessToken(id: string, at: string): Promise<void>;
}

/** The OAuth authorization server's state (src/oauth): clients, requests, grants and tokens. */
export interface OAuthRepo {
  /** Inserts a client or, for a metadata document fetched again, updates its name and redirect URIs. */
  upsertOAuthClient(row: OAuthClientRow): Promise<void>;
  getOAuthClient(id: string): Promise<OAuthClientRow | undefined>;
  insertOAuthRequest(row: OAuthRequestRow): Promise<void>;
  getOAuthRequest(id: string): Promise<OAuthRequestRow | undefined>;
  getOAuthRequestByCode(codeHash: string): Promise<OAuthRequestRow | undefined>;
  /** Marks an undecided, unexpired request decided at `at`; false when it was decided already or expired. */
  decideOAuthRequest(id: string, at: string): Promise<boolean>;
  /** Gives a decided request its grant and code. */
  setOAuthCode(id: string, grantId: string, codeHash: string, codeExpiresAt: string): Promise<void>;
  /** Marks a request's code used; false when it was used already (the code's replay). */
  useOAuthCode(id: string, at: string): Promise<boolean>;
  insertOAuthGrant(row: OAuthGrantRow): Promise<void>;
  getOAuthGrant(id: string): Promise<OAuthGrantRow | undefined>;
  /** The user's unrevoked grants in the workspace, with each client's name, newest first. */
  listOAuthGrants(userId: string, workspaceId: string): Promise<OAuthGrantListRow[]>;
  /** Ends a grant; false when it was already ended (or never existed), so only one caller records the ending. */
  revokeOAuthGrant(id: string, at: string): Promise<boolean>;
  touchOAuthGrant(id: string, at: string): Promise<void>;
  insertOAuthToken(row: OAuthTokenRow): Promise<void>;
  /** A token by hash with its grant and member, in one read. */
  getOAuthToken(tokenHash: string): Promise<OAuthTokenRecord | undefined>;
  /** Marks an unused refresh token used (its rotation); false when it was used already. */
  useOAuthToken(id: string, at: string): Promise<boolean>;
  revokeOAuthToken(id: string, at: string): Promise<void>;
}

export interface LocksRepo {
  /**
   * Serialises transactions that touch the same named thing (a card column, an idempotency key)
   * until the transaction ends. SQLite's writes are already serial; PostgreSQL takes an advisory lock.
   * Throws outside a transaction on both. Several names are locked in the order given (one round
   * trip); a name this transaction already holds costs nothing.
   */
  lockKey(name: string | readonly string[]): Promise<void>;
  /**
   * True when transactions never run at the same time (SQLite): lockKey then orders nothing, and
   * work done only to choose which locks to take can be skipped.
   */
  readonly serialWrites: boolean;
}

/** Objects (boards, cards). */
export interface ObjectsRepo {
  getObject(workspaceId: string, type: string, id: string): Promise<ObjectRow | undefined>;
  /** An object already presented as JSON (see presentObject), for GET responses. */
  getObjectJson(workspaceId: string, type: string, id: string): Promise<ObjectJson | undefined>;
  /**
   * Card `cardId` and a board, both as getObject reads them, in one round trip: board `boardId`, or
   * when null the card's own board. For an update that may move the card (its column locks).
   */
  getCardAndBoard(workspaceId: string, cardId: string, boardId: string | null): Promise<{ card?: ObjectRow; board?: ObjectRow }>;
  /** Like getObject, and holds the row against other writers until the transaction ends. */
  getObjectForUpdate(workspaceId: string, type: string, id: string): Promise<ObjectRow | undefined>;
  /**
   * A page of objects, each already presented as JSON (see presentObject). Outside a transaction it
   * may come from a cache that the workspace's latest activity seq validates (see PageCache), which
   * is why every write to an object must record activity in the same transaction.
   */
  listObjects(query: ObjectListQuery): Promise<JsonPage>;
  /** Inserts the row, its `key` too (none when absent). */
  insertObject(row: ObjectRow): Promise<void>;
  /**
   * Writes `row` over `previous` (as read in this transaction) if the stored version is still
   * `previous.version`; false when it moved on. The search index entry is rewritten only when the
   * searched fields changed.
   */
  updateObject(row: ObjectRow, previous: ObjectRow): Promise<boolean>;
  /**
   * Human keys (issue 12, store/sql/keys.ts), each in the caller's transaction. setBoardKey gives an
   * inserted board `wanted` (a 409 naming `key` when taken) or the first free key its name suggests;
   * setCardKey gives a card its number on `boardId` (the one it had there before, else the board's
   * next, unique across instances) or no key without a board; renameBoardKey changes a board's key
   * and its cards' keys, old keys still resolving; resolveKey finds the board or card a current or
   * old key names. Each returns the new key (resolveKey: the id). newCardKey is setCardKey for a
   * card not yet inserted (it has had no number anywhere): its key, which insertObject then writes.
   */
  setBoardKey(workspaceId: string, boardId: string, name: string, wanted?: string): Promise<string>;
  setCardKey(workspaceId: string, cardId: string, boardId: string | null): Promise<string | null>;
  newCardKey(workspaceId: string, cardId: string, boardId: string): Promise<string | null>;
  renameBoardKey(workspaceId: string, boardId: string, key: string): Promise<string | null>;
  resolveKey(workspaceId: string, type: string, key: string): Promise<string | undefined>;
  /** Live (not deleted) objects of a type whose `data[field]` equals `value`. */
  listObjectsByField(workspaceId: string, type: string, field: string, value: string): Promise<ObjectRow[]>;
  /** Trashed objects, newest first. */
  listTrash(workspaceId: string, types: string[], limit: number, offset: number): Promise<ListPage>;
  /** Objects trashed together with `id` (a board's cards). */
  listDeletedWith(workspaceId: string, id: string): Promise<ObjectRow[]>;
}

/** Card positions within a column. */
export interface PositionsRepo {
  /** The largest position in the column, or undefined when it is empty. */
  maxPosition(column: ColumnRef, excludeId?: string): Promise<number | undefined>;
  /** The nearest positions strictly below and at-or-above `position` (excluding one card). */
  neighbourPositions(column: ColumnRef, position: number, excludeId: string | undefined): Promise<{ below?: number; atOrAbove?: number }>;
  /**
   * Respaces a column in one statement: its cards get positions step, 2·step, … in (position, id)
   * order, one step left free for `moverId` just before the first card at or above `before`. Only rows
   * still live cards of the column when the statement writes them are touched (on PostgreSQL a card
   * that moved out meanwhile is left alone). Versions stay: positions are the server's, and a
   * neighbour's move must not make a client's If-Match fail.
   */
  respaceColumn(column: ColumnRef, moverId: string, before: number, step: number): Promise<ColumnRespace>;
  /** Counts live cards of a board whose status is one of `statuses`. */
  countCardsInStatuses(workspaceId: string, boardId: string, statuses: string[]): Promise<number>;
}

/** Activity (audit trail and outbox); listening to it is the store's (`subscribeActivity`). */
export interface ActivityRepo {
  /**
   * Records an event; listeners hear of it once its transaction commits (outside a transaction it
   * is a transaction of its own). Every write to an object records one: list pages are cached for
   * as long as a workspace's latest seq stays the same.
   */
  insertActivity(row: NewActivity): Promise<number>;
  listActivity(workspaceId: string, sinceSeq: number, types: string[], limit: number): Promise<ActivityRow[]>;
  /** The workspace's newest activity seq (0 when there is none): where a fresh live stream starts. */
  latestActivitySeq(workspaceId: string): Promise<number>;
  /** The seq of the last activity before a time, 0 when none: `since=<ISO time>` lists what follows it. */
  activitySeqAt(workspaceId: string, at: string): Promise<number>;
}

/** A comment on a card (Markdown body); mentions are resolved when it is written. */
export interface CommentRow {
  id: string;
  workspace_id: string;
  card_id: string;
  author_id: string;
  body: string;
  /** The members the body mentions: each `@handle` that named exactly one member when it was written. */
  mentions: Array<{ user_id: string; handle: string }>;
  /** The body folded for search (foldForSearch), part of its card's full-text entry. */
  search_text: string;
  created_at: string;
  updated_at: string;
  version: number;
}

/** Comments on cards. They stay with their card: hidden while it is in the trash, back with it. */
export interface CommentsRepo {
  insertComment(row: CommentRow): Promise<void>;
  getComment(workspaceId: string, id: string): Promise<CommentRow | undefined>;
  /** The card's comments, oldest first. */
  listComments(workspaceId: string, cardId: string): Promise<CommentRow[]>;
  /** Writes the row if its stored version is still `expectedVersion`; false when it moved on (or is gone). */
  updateComment(row: CommentRow, expectedVersion: number): Promise<boolean>;
  /** Deletes the comment; false when it was already gone. */
  deleteComment(workspaceId: string, id: string): Promise<boolean>;
  /** Rewrites the card's full-text entry from its fields and its comments (after a comment changed). */
  reindexCardSearch(workspaceId: string, cardId: string): Promise<void>;
  /** The object's own activity, newest first (a card's history: its writes and its comments'). */
  listObjectActivity(workspaceId: string, objectId: string, types: string[], limit: number): Promise<ActivityRow[]>;
}

/** Idempotency keys for POST. */
export interface IdempotencyRepo {
  getIdempotency(workspaceId: string, userId: string, key: string): Promise<IdempotencyRow | undefined>;
  putIdempotency(workspaceId: string, userId: string, key: string, row: IdempotencyRow): Promise<void>;
  pruneIdempotency(before: string): Promise<void>;
}

/** Login rate limiting (held in the database so it holds across instances). */
export interface LoginFailuresRepo {
  recordLoginFailure(key: string, at: number): Promise<void>;
  /** The key's failures at or after `since`: how many, and the oldest and newest times. */
  countLoginFailures(key: string, since: number): Promise<{ count: number; oldest?: number; newest?: number }>;
  /** Forgets every failure, whatever its key, recorded before `before`. */
  pruneLoginFailures(before: number): Promise<void>;
  clearLoginFailures(key: string): Promise<void>;
  /** Takes back one recorded attempt (a login that succeeded). */
  forgetLoginFailure(key: string, at: number): Promise<void>;
}

/** Client telemetry, bounded, and the sweep of what expired. */
export interface HousekeepingRepo {
  insertAnalytics(rows: Array<{ received_at: string; device_id: string | null; type: string; payload: string }>, keep: number): Promise<void>;
  countAnalytics(): Promise<number>;

  /** Deletes up to `limits.batch` rows per table beyond the limits (store/sweeper.ts calls it until done). */
  sweep(limits: SweepLimits): Promise<SweepCounts>;
}

/** What a transaction's handle offers: every repository, and nothing that opens, ends or listens to the store. */
export interface StoreTx
  extends SettingsRepo, AccountsRepo, PasswordResetsRepo, InvitationsRepo, CredentialsRepo, OAuthRepo, LocksRepo, ObjectsRepo, PositionsRepo, ActivityRepo,
    CommentsRepo, IdempotencyRepo, LoginFailuresRepo, HousekeepingRepo {
  /** A short human name: "sqlite:/path" or "postgres://host/db" (without credentials). */
  readonly description: string;
}

/** The store: every repository, outside a transaction, and the store's lifecycle. */
export interface Store extends StoreTx {
  /** Runs `fn` in one transaction; everything it does commits or rolls back together. */
  transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T>;
  /** One trivial round trip: throws when the database cannot be reached (readiness checks). */
  ping(): Promise<void>;
  /** Applies pending migrations; returns the versions applied. */
  migrate(): Promise<number[]>;
  close(): Promise<void>;
  /**
   * Calls `listener` after each commit that recorded activity in a workspace (on PostgreSQL, for
   * commits of every instance). Returns the unsubscribe function.
   */
  subscribeActivity(listener: ActivityListener): () => void;
  /** Connection use, read at each /metrics scrape (cheap: counters only, no query). */
  poolStats?(): PoolStats[];
}
