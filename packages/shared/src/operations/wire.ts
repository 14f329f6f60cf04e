/**
 * The wire shapes of the /xapi2 API as zod schemas: what every operation returns. The server's
 * presenters produce them, the OpenAPI document and the MCP tools describe them, and the web app's
 * types are inferred from them (packages/web/src/api/types.ts), so each shape is written once.
 */
import { z } from 'zod';
import { ACCENTS, MODEL_NAMES, PRIORITIES, type FieldSpec, type Json, type ModelSpec } from '../manifest.js';
import { ROLES, SCOPE_LEVELS } from '../scopes.js';
import { ERROR_STATUS } from '../errors.js';

/** Any JSON value (documented as such: a recursive schema would need references the OpenAPI document cannot resolve). */
export const JsonSchema = z.custom<Json>(() => true);

/** An ISO 8601 UTC timestamp as the server writes it. */
const Timestamp = z.string().describe('ISO 8601 UTC timestamp');

/** One column of a board, as stored. */
export const ColumnSchema = z.object({ key: z.string(), name: z.string(), wip_limit: z.number().int().optional() });

/** A workspace role. */
export const RoleSchema = z.enum(ROLES);
/** Per-model scopes of a personal access token. */
export const ScopesSchema = z.record(z.string(), z.enum(SCOPE_LEVELS));

/** A model's `data` field as documentation: each manifest field with its type and limits. */
function fieldSchema(field: FieldSpec): z.ZodType {
  let schema: z.ZodType;
  if (field.type === 'string') schema = field.max_len ? z.string().max(field.max_len) : z.string();
  else if (field.type === 'number') schema = z.number();
  else if (field.type === 'enum') schema = z.enum((field.values ?? []) as [string, ...string[]]);
  else if (field.type === 'tags') schema = z.array(z.string());
  else if (field.type === 'dict') schema = z.record(z.string(), JsonSchema);
  else schema = z.array(ColumnSchema);
  return field.description ? schema.describe(field.description) : schema;
}

/**
 * The body of a create (`mode: 'create'`) or update of a model: its create or update fields as
 * top-level keys (update: `null` clears an optional field; `is_archived` may be set too). The server
 * accepts more input forms than documented here (columns as a string, booleans as text); it
 * validates with the manifest's validator, whose messages name each field and its fix.
 */
export function modelInputSchema(model: ModelSpec, mode: 'create' | 'update') {
  const names = mode === 'create' ? model.create_fields : model.update_fields;
  const shape: Record<string, z.ZodType> = {};
  for (const name of names) {
    const field = model.fields.find((f) => f.name === name);
    const schema = field ? fieldSchema(field) : z.string();
    shape[name] = mode === 'create' ? (field?.required ? schema : schema.optional()) : schema.nullable().optional();
  }
  if (mode === 'update') shape.is_archived = z.boolean().optional();
  return z.object(shape);
}

/** A stored object (board or card) as the API presents it (presenters.ts: presentObject). */
export const StoredObjectSchema = z.object({
  id: z.uuid(),
  type: z.enum(MODEL_NAMES as [string, ...string[]]),
  key: z.string().nullable().optional().describe("the human key: a board's `WEB`, a card's `WEB-42`; null for a card without a board"),
  status: z.string().describe('record lifecycle, `active` by default'),
  owned_by: z.string(),
  created_by: z.string(),
  updated_by: z.string(),
  is_archived: z.boolean(),
  is_deleted: z.boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
  version: z.number().int().describe('grows on every write; send it back as If-Match'),
  data: z.record(z.string(), JsonSchema),
});

/**
 * The data of a board and of a card, as stored, written out so their types are static (the manifest
 * is data read at run time). A test holds their keys equal to the manifest's fields
 * (packages/server/test/operations.test.ts), so a new field cannot be forgotten here.
 */
export const BoardDataSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  accent: z.enum(ACCENTS).optional(),
  settings: z.record(z.string(), JsonSchema).optional(),
  tags: z.array(z.string()).optional(),
  columns: z.array(ColumnSchema),
});
/** The data of a card, as stored. */
export const CardDataSchema = z.object({
  title: z.string(),
  description: z.string().optional(),
  status: z.string().optional(),
  position: z.number().optional(),
  priority: z.enum(PRIORITIES).optional(),
  tags: z.array(z.string()).optional(),
  assignee: z.string().optional().describe('free text from before assignees were members'),
  assignees: z.array(z.string()).optional().describe('user ids of workspace members'),
  checklist: z.array(z.object({ id: z.string(), text: z.string(), done: z.boolean() })).optional(),
  due_date: z.string().optional(),
  board_id: z.string().optional(),
});

/** A list page's meta. */
export const PageMetaSchema = z.object({
  count: z.number().int(),
  has_more: z.boolean(),
  next_cursor: z.string().nullable().describe('pass as `after` for the next page'),
  limit: z.number().int(),
  offset: z.number().int(),
});

/** A page of objects. */
export const ObjectPageSchema = z.object({ data: z.array(StoredObjectSchema), meta: PageMetaSchema });

/** What deleting an object returns. */
export const DeletedSchema = z.object({
  ok: z.literal(true),
  id: z.uuid(),
  type: z.string(),
  trashed_with_it: z.number().int().describe('how many objects went to the trash with it (a board takes its cards)'),
  restore: z.string().describe('the call that brings it back'),
});

/** An object in the trash. */
export const TrashedSchema = StoredObjectSchema.extend({
  deleted_at: Timestamp.nullable(),
  deleted_with: z.string().nullable().describe('the object whose deletion took this one along, if any'),
});

/** A page of the trash. */
export const TrashPageSchema = z.object({
  data: z.array(TrashedSchema),
  meta: z.object({ count: z.number().int(), has_more: z.boolean(), limit: z.number().int(), offset: z.number().int(), types: z.array(z.string()) }),
});

/** What restoring from the trash returns. */
export const RestoredSchema = StoredObjectSchema.extend({ restored_with_it: z.number().int() });

/** The actions an activity event records. */
export const ACTIVITY_ACTIONS = ['create', 'update', 'delete', 'restore', 'respace'] as const;

/** Object types of account events in the activity (owners and admins see them; no secrets are recorded). */
export const ACCOUNT_EVENT_TYPES = ['member', 'invitation', 'access_token', 'session', 'user', 'oauth_grant', 'password_reset'] as const;

/** One recorded write. */
export const ActivitySchema = z.object({
  seq: z.number().int(),
  object_type: z.string().describe(`a model, or an account event: ${ACCOUNT_EVENT_TYPES.join(', ')} (owners and admins see those)`),
  object_id: z.string(),
  action: z.enum(ACTIVITY_ACTIONS),
  actor_id: z.string().nullable(),
  token_id: z.string().nullable(),
  changes: z.record(z.string(), z.tuple([JsonSchema, JsonSchema])).describe('{field: [before, after]}'),
  created_at: Timestamp,
});

/** A page of activity. */
export const ActivityPageSchema = z.object({
  data: z.array(ActivitySchema),
  meta: z.object({ count: z.number().int(), has_more: z.boolean(), next_cursor: z.string(), limit: z.number().int() }),
});

/**
 * What a `respace` event's `changes.order[1]` holds: the server rewrote a column's positions to even
 * steps (keeping their order and the cards' versions). Each named card, at that version, is now at
 * the matching position.
 */
export const RespacedColumnSchema = z.object({
  board_id: z.string().nullable(),
  status: z.string(),
  ids: z.array(z.string()),
  positions: z.array(z.number()),
  versions: z.array(z.number().int()),
});

/** The caller (`/auth/me`), and the user of login, setup and accepting an invitation. */
export const MeSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: RoleSchema,
  workspace: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
  auth: z.enum(['session', 'pat', 'oauth']),
  token_id: z.string().optional(),
  scopes: ScopesSchema.optional(),
  scope_string: z.string().optional(),
});

/** What login, setup and accepting an invitation return: a session token and its user. */
export const SignedInSchema = z.object({
  access_token: z.string(),
  token_type: z.literal('bearer'),
  expires_at: Timestamp,
  user: MeSchema,
});

/** A personal access token in lists: never its secret. */
export const AccessTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: ScopesSchema,
  created_at: Timestamp,
  expires_at: Timestamp.nullable(),
  last_used_at: Timestamp.nullable(),
  revoked_at: Timestamp.nullable(),
});

/** A token just created: the only time its secret is shown. */
export const CreatedAccessTokenSchema = AccessTokenSchema.extend({ token: z.string(), detail: z.string() });

/** A workspace member. */
export const MemberSchema = z.object({ user_id: z.string(), email: z.string(), name: z.string(), role: RoleSchema, joined_at: Timestamp });

/** A pending invitation: never its token. */
export const InvitationSchema = z.object({
  id: z.string(),
  role: RoleSchema,
  email: z.string().nullable(),
  created_by: z.string(),
  created_at: Timestamp,
  expires_at: Timestamp,
  expired: z.boolean(),
});

/** An invitation just created, with its one-time link. */
export const CreatedInvitationSchema = InvitationSchema.extend({ token: z.string(), path: z.string(), url: z.string(), detail: z.string() });

/** What an invite link offers, before it is accepted. */
export const InvitationPreviewSchema = z.object({
  workspace: z.object({ name: z.string(), slug: z.string() }),
  role: RoleSchema,
  email: z.string().nullable(),
  expires_at: Timestamp,
});

/** A password reset link just issued: shown once, to hand to the member. */
export const PasswordResetLinkSchema = z.object({
  user_id: z.string(),
  email: z.string(),
  token: z.string(),
  path: z.string(),
  url: z.string(),
  expires_at: Timestamp,
  detail: z.string(),
});

/** What a password reset link is for, before it is used. */
export const PasswordResetPreviewSchema = z.object({ email: z.string(), name: z.string(), expires_at: Timestamp });

/** One of the caller's workspaces (the workspace switcher). */
export const MembershipSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  role: RoleSchema,
  current: z.boolean().describe("the caller's session is in this workspace"),
});

/** A plain acknowledgement. */
export const OkSchema = z.object({ ok: z.literal(true), id: z.string().optional(), detail: z.string().optional() });

/** The body of every error response. */
export const ErrorBodySchema = z.object({
  detail: z.string().describe('what went wrong and what to do next'),
  i18n: z.object({ en: z.string() }),
  code: z.enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS, ...Array<keyof typeof ERROR_STATUS>]),
  errors: z.array(z.object({ field: z.string(), message: z.string() })),
});

/** A stored object whose `data` has type `D` (a board's or a card's). */
export type StoredObject<D = Record<string, Json>> = Omit<z.infer<typeof StoredObjectSchema>, 'data'> & { data: D };
/** A board's data. */
export type BoardData = z.infer<typeof BoardDataSchema>;
/** A card's data. */
export type CardData = z.infer<typeof CardDataSchema>;
/** A board as the API returns it. */
export type Board = StoredObject<BoardData>;
/** A card as the API returns it. */
export type Card = StoredObject<CardData>;
/** A page of a list. */
export type Page<T> = { data: T[]; meta: z.infer<typeof PageMetaSchema> };
/** The signed-in caller. */
export type Me = z.infer<typeof MeSchema>;
/** What login, setup and accepting an invitation return. */
export type SignedIn = z.infer<typeof SignedInSchema>;
/** A personal access token in lists. */
export type AccessToken = z.infer<typeof AccessTokenSchema>;
/** A workspace member. */
export type Member = z.infer<typeof MemberSchema>;
/** A pending invitation. */
export type Invitation = z.infer<typeof InvitationSchema>;
/** An object in the trash. */
export type Trashed = z.infer<typeof TrashedSchema>;
/** One recorded write. */
export type Activity = z.infer<typeof ActivitySchema>;

/** A comment on a card (presenters.ts: presentComment). */
export const CommentSchema = z.object({
  id: z.string(),
  card_id: z.string(),
  author: z.object({ id: z.string(), name: z.string().nullable() }),
  body: z.string().describe('Markdown'),
  mentions: z.array(z.object({ user_id: z.string(), handle: z.string(), name: z.string().nullable() })).describe("each @handle of the body that names a member, with the member's current name"),
  created_at: Timestamp,
  updated_at: Timestamp,
  edited: z.boolean(),
  version: z.number().int().describe('grows on every edit; send it back as If-Match'),
});

/** A card's comments, oldest first. */
export const CommentListSchema = z.object({ data: z.array(CommentSchema), meta: z.object({ count: z.number().int() }) });

/** What deleting a comment returns. */
export const DeletedCommentSchema = z.object({ ok: z.literal(true), id: z.string(), card_id: z.string() });

/** One entry of a card's history: an activity event with the actor's current name. */
export const HistoryEntrySchema = ActivitySchema.extend({ actor_name: z.string().nullable() });

/** A card's history, newest first. */
export const HistoryPageSchema = z.object({ data: z.array(HistoryEntrySchema), meta: z.object({ count: z.number().int(), limit: z.number().int() }) });

/** A sign-in waiting on the consent page: the client, where it goes back to, and the scopes it would get (capped by the member's role). */
export const OAuthConsentRequestSchema = z.object({
  id: z.string(),
  client: z.object({ id: z.string(), name: z.string(), kind: z.enum(['registered', 'metadata_document']) }),
  redirect_uri: z.string(),
  scopes: ScopesSchema.describe('what the app would get: what it asked for, capped by your role'),
  requested_scopes: ScopesSchema,
  role: RoleSchema,
  workspace: z.object({ id: z.string(), name: z.string() }),
  expires_at: Timestamp,
});

/** Where the browser goes after the consent page: the client's redirect URI, with a code or an error. */
export const OAuthRedirectSchema = z.object({ redirect_to: z.string() });

/** An app signed in with OAuth (an MCP host), as the Integrations page lists it. */
export const OAuthGrantSchema = z.object({
  id: z.string(),
  client_id: z.string(),
  client_name: z.string(),
  scopes: ScopesSchema,
  scope_string: z.string(),
  created_at: Timestamp,
  last_used_at: Timestamp.nullable(),
});

/** What a `respace` event's `changes.order[1]` holds. */
export type RespacedColumn = z.infer<typeof RespacedColumnSchema>;
/** A comment on a card. */
export type CardComment = z.infer<typeof CommentSchema>;
/** One entry of a card's history. */
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;
/** A sign-in waiting on the consent page. */
export type ConsentRequest = z.infer<typeof OAuthConsentRequestSchema>;
/** An app signed in with OAuth. */
export type OAuthGrant = z.infer<typeof OAuthGrantSchema>;
/** A personal access token just created, with its secret (shown once). */
export type CreatedAccessToken = z.infer<typeof CreatedAccessTokenSchema>;
/** An invitation just created, with its one-time link. */
export type CreatedInvitation = z.infer<typeof CreatedInvitationSchema>;
/** What an invite link offers. */
export type InvitationPreview = z.infer<typeof InvitationPreviewSchema>;
/** A password reset link just issued. */
export type PasswordResetLink = z.infer<typeof PasswordResetLinkSchema>;
/** One of the caller's workspaces. */
export type Membership = z.infer<typeof MembershipSchema>;
