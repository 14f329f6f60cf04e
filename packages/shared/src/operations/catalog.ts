/**
 * Every action of the product, declared once by name with the zod schemas of its input and output.
 * The server's operation layer (packages/server/src/operations) runs them; HTTP routes, the MCP tools
 * and the OpenAPI document are generated from these declarations; the web app infers its types.
 *
 * Inputs are plain objects, the same in process (MCP tools) and over HTTP (the route maps path,
 * query, headers and body onto them). The server validates every input with the manifest's and the
 * commands' own checks, whose errors name the field and the fix; these schemas are the contract
 * those checks enforce.
 */
import { z } from 'zod';
import { COMMENT_LIMITS } from '../comments.js';
import { MODEL_NAMES } from '../manifest.js';
import { SCOPE_LEVELS } from '../scopes.js';
import {
  AccessTokenSchema, ActivityPageSchema, CreatedAccessTokenSchema, CreatedInvitationSchema, DeletedSchema, InvitationPreviewSchema,
  InvitationSchema, JsonSchema, MeSchema, MemberSchema, MembershipSchema, ObjectPageSchema, OkSchema, PasswordResetLinkSchema, PasswordResetPreviewSchema, RestoredSchema, RoleSchema, SignedInSchema,
  StoredObjectSchema, TrashPageSchema,
} from './wire.js';
import {
  CommentListSchema, CommentSchema, DeletedCommentSchema, HistoryPageSchema, OAuthConsentRequestSchema, OAuthGrantSchema, OAuthRedirectSchema,
} from './wire.js';

/** A model name. */
export const ModelTypeSchema = z.enum(MODEL_NAMES as [string, ...string[]]).describe('the model: board or card');
const Id = z.string().describe('an object id (UUID)');
/** Query parameters as received: a repeated parameter is an array (IN). */
export const RawParamsSchema = z.record(z.string(), z.union([z.string(), z.array(z.string())]).optional());
/** The fields of a create or update as top-level keys (see modelInputSchema for each model's). */
const Fields = z.record(z.string(), JsonSchema).describe("the model's fields as top-level keys");
const Version = z.number().int().min(0).describe("the object's version you read (HTTP: If-Match); a stale one is a 412");
const Expires = z.string().nullable().describe('a duration such as 30d or 48h, an ISO date, or null / never');
const Empty = z.object({});
/** A comment as a client writes it. */
const CommentFields = z.object({ body: z.string().min(1).max(COMMENT_LIMITS.maxBodyLength).describe('Markdown; @handle mentions a member') });

/** Scopes as a client sends them: `board:read,card:write`, or `{"board": "read"}`. */
export const ScopesInputSchema = z.union([z.string(), z.record(z.string(), z.enum(SCOPE_LEVELS))]);

/** The declaration of one operation: what it does, takes and returns. */
export interface OperationSchemas<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  summary: string;
  input: I;
  output: O;
}

function op<I extends z.ZodType, O extends z.ZodType>(summary: string, input: I, output: O): OperationSchemas<I, O> {
  return { summary, input, output };
}

/** Every operation by name (`area.verb`). */
export const OPERATIONS = {
  'objects.list': op(
    'List objects of a model: filters named as in the manifest, sort, q, limit, offset, after (keyset)',
    z.object({ type: ModelTypeSchema, query: RawParamsSchema.optional() }),
    ObjectPageSchema,
  ),
  'objects.get': op('Read one object', z.object({ type: ModelTypeSchema, id: Id }), StoredObjectSchema),
  'objects.create': op(
    'Create an object from its fields; a retried create with the same idempotency key returns the first result',
    z.object({ type: ModelTypeSchema, fields: Fields, idempotency_key: z.string().min(1).max(200).optional() }),
    StoredObjectSchema,
  ),
  'objects.update': op(
    'Change some fields of an object; untouched fields stay, null clears an optional field',
    z.object({ type: ModelTypeSchema, id: Id, fields: Fields, version: Version.optional() }),
    StoredObjectSchema,
  ),
  'objects.delete': op(
    'Move an object to the trash (a board takes its cards with it)',
    z.object({ type: ModelTypeSchema, id: Id, version: Version.optional() }),
    DeletedSchema,
  ),
  'trash.list': op('List deleted objects, newest first', z.object({ query: RawParamsSchema.optional() }), TrashPageSchema),
  'trash.restore': op('Bring an object back from the trash, with everything deleted with it', z.object({ type: ModelTypeSchema, id: Id }), RestoredSchema),
  'activity.list': op(
    "The workspace's recorded writes, oldest first after `since` (a seq or an ISO time); owners and admins also see account events",
    z.object({ query: z.object({ since: z.string().optional(), limit: z.string().optional() }).optional() }),
    ActivityPageSchema,
  ),
  'tokens.list': op('Your personal access tokens (never their secrets)', Empty, z.object({ data: z.array(AccessTokenSchema) })),
  'tokens.create': op(
    'Create a personal access token; its secret is shown once',
    z.object({ name: z.string().min(1).max(100), scopes: ScopesInputSchema.optional(), expires: Expires.optional() }),
    CreatedAccessTokenSchema,
  ),
  'tokens.revoke': op('Revoke one of your personal access tokens', z.object({ id: z.string() }), OkSchema),
  'members.list': op("The workspace's members", Empty, z.object({ data: z.array(MemberSchema), meta: z.object({ count: z.number().int() }) })),
  'members.update': op("Change a member's role (owners and admins)", z.object({ user_id: z.string(), role: RoleSchema }), MemberSchema),
  'members.remove': op(
    "Remove a member from the workspace (owners and admins; only an owner removes an owner; never the last owner); their sessions, tokens and OAuth sign-ins here stop at once",
    z.object({ user_id: z.string() }),
    OkSchema,
  ),
  'members.password_reset': op(
    'Issue a one-time password reset link for a member (owners and admins; only an owner for an owner); the link is shown once',
    z.object({ user_id: z.string(), expires: z.string().optional() }),
    PasswordResetLinkSchema,
  ),
  'password_resets.preview': op('Whose password a reset link sets (no account needed)', z.object({ token: z.string() }), PasswordResetPreviewSchema),
  'password_resets.complete': op(
    "Set a new password with a reset link and sign in; the link works once, and every other session of the account ends",
    z.object({ token: z.string(), password: z.string() }),
    SignedInSchema,
  ),
  'invitations.list': op('Pending invitations (owners and admins)', Empty, z.object({ data: z.array(InvitationSchema) })),
  'invitations.create': op(
    'Create a one-time invite link (owners and admins); the link is shown once',
    z.object({ role: RoleSchema.optional(), email: z.string().nullable().optional(), expires: z.string().optional() }),
    CreatedInvitationSchema,
  ),
  'invitations.revoke': op('Revoke a pending invitation', z.object({ id: z.string() }), OkSchema),
  'invitations.join': op(
    'Join the workspace of an invite link with the account you are signed in with; returns a session in that workspace',
    z.object({ token: z.string() }),
    SignedInSchema,
  ),
  'invitations.preview': op('What an invite link offers (no account needed)', z.object({ token: z.string() }), InvitationPreviewSchema),
  'invitations.accept': op(
    'Create an account from an invite link and sign in',
    z.object({ token: z.string(), email: z.string(), password: z.string(), name: z.string().optional() }),
    SignedInSchema,
  ),
  'auth.login': op('Sign in with email and password; returns a session token', z.object({ email: z.string().max(254), password: z.string().max(1024) }), SignedInSchema),
  'auth.me': op('Who the caller is (and, for a personal access token, its scopes)', Empty, MeSchema),
  'auth.logout': op('End the current session and every renewal of it', Empty, OkSchema),
  'auth.password': op(
    'Change your password; every session is signed out',
    z.object({ current_password: z.string(), new_password: z.string() }),
    OkSchema,
  ),
  'auth.update': op(
    'Change your name or email (a new email needs current_password)',
    z.object({ name: z.string().optional(), email: z.string().optional(), current_password: z.string().optional() }),
    MeSchema,
  ),
  'auth.workspaces': op('The workspaces you belong to, with your role in each', Empty, z.object({ data: z.array(MembershipSchema) })),
  'auth.switch': op(
    'Open a session in another of your workspaces (by id or slug); the current session stays valid',
    z.object({ workspace: z.string() }),
    SignedInSchema,
  ),
  'setup.status': op('Whether the server still needs its first account', Empty, z.object({ needs_setup: z.boolean() })),
  'setup.create': op(
    'Create the first account with the one-time setup token printed at start',
    z.object({ token: z.string(), email: z.string(), password: z.string(), name: z.string().optional(), workspace: z.string().optional() }),
    SignedInSchema,
  ),
  'comments.list': op("A card's comments, oldest first", z.object({ card_id: Id.describe('the card id (UUID)') }), CommentListSchema),
  'comments.create': op(
    'Comment on a card in Markdown; each @handle that names a member becomes a mention',
    z.object({ card_id: Id.describe('the card id (UUID)'), fields: CommentFields }),
    CommentSchema,
  ),
  'comments.update': op(
    "Change a comment's body (its author only)",
    z.object({ id: z.string().describe('the comment id (UUID)'), fields: CommentFields, version: Version.optional() }),
    CommentSchema,
  ),
  'comments.delete': op('Delete a comment (its author, or an owner or admin); the card\'s history keeps only that it was', z.object({ id: z.string().describe('the comment id (UUID)') }), DeletedCommentSchema),
  'history.list': op(
    "A card's history, newest first: its recorded writes and its comments' (query: limit, 1 to 200, 50 by default)",
    z.object({ card_id: Id.describe('the card id (UUID)'), query: RawParamsSchema.optional() }),
    HistoryPageSchema,
  ),
  'oauth_requests.get': op('A sign-in waiting for your consent: the app, where it returns, and the scopes it would get', z.object({ id: z.string() }), OAuthConsentRequestSchema),
  'oauth_requests.approve': op('Let the app sign in as you with the scopes shown; returns where to send the browser (with a code)', z.object({ id: z.string() }), OAuthRedirectSchema),
  'oauth_requests.deny': op('Refuse the sign-in; returns where to send the browser (with access_denied)', z.object({ id: z.string() }), OAuthRedirectSchema),
  'oauth_grants.list': op('Apps signed in as you with OAuth, with their scopes and last use', Empty, z.object({ data: z.array(OAuthGrantSchema) })),
  'oauth_grants.revoke': op("Sign an app out: its access and refresh tokens stop working at once", z.object({ id: z.string() }), OkSchema),
} as const satisfies Record<string, OperationSchemas>;

/** An operation's name. */
export type OperationName = keyof typeof OPERATIONS;
/** What an operation takes. */
export type OperationInput<N extends OperationName> = z.input<(typeof OPERATIONS)[N]['input']>;
/** What an operation returns. */
export type OperationOutput<N extends OperationName> = z.output<(typeof OPERATIONS)[N]['output']>;
