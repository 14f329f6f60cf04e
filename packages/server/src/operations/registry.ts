/**
 * The registry of operations, and `runOperation`: how any edge (the MCP tools in process, the HTTP
 * routes) runs one with its caller's actor. One path for everyone: parse → policy → run.
 */
import { AppError, type OperationInput, type OperationName, type OperationOutput } from '@prodboard/shared';
import type { Actor } from '../context.js';
import type { AppDeps } from '../deps.js';
import { listActivity } from './activity.js';
import { changePassword, listWorkspaces, login, logout, me, switchWorkspace, updateAccount } from './auth.js';
import { cardHistory, createComment, deleteComment, listComments, updateComment } from './comments.js';
import { acceptInvitation, createInvitation, joinInvitation, listInvitations, previewInvitation, revokeInvitation } from './invitations.js';
import { issuePasswordReset, listMembers, removeMember, updateMember } from './members.js';
import { approveConsentRequest, denyConsentRequest, getConsentRequest, listOAuthGrants, revokeOAuthGrant } from './oauth.js';
import { createObject, deleteObject, getObject, listObjects, updateObject } from './objects.js';
import { completePasswordReset, previewPasswordReset } from './password-resets.js';
import { JsonText, type Operation, type OperationEnv, type Outcome } from './operation.js';
import { setup, setupStatus } from './setup.js';
import { createToken, listTokens, revokeToken } from './tokens.js';
import { listTrash, restoreFromTrash } from './trash.js';

const ALL = [
  listObjects, getObject, createObject, updateObject, deleteObject, listTrash, restoreFromTrash, listActivity,
  listTokens, createToken, revokeToken, listMembers, updateMember, removeMember, issuePasswordReset, previewPasswordReset, completePasswordReset,
  listInvitations, createInvitation, revokeInvitation, previewInvitation, acceptInvitation, joinInvitation,
  login, me, logout, changePassword, updateAccount, listWorkspaces, switchWorkspace, setupStatus, setup,
  listComments, createComment, updateComment, deleteComment, cardHistory,
  getConsentRequest, approveConsentRequest, denyConsentRequest, listOAuthGrants, revokeOAuthGrant,
] as const;

/** Every operation by name. */
export const OPERATION_REGISTRY = Object.fromEntries(ALL.map((op) => [op.name, op])) as unknown as { [N in OperationName]: Operation<N, unknown> };

/** The operation called `name`. */
export function operation<N extends OperationName>(name: N): Operation<N, unknown> {
  return OPERATION_REGISTRY[name];
}

/**
 * Runs an operation and returns its outcome (the hot reads' output still as JSON text). `env.actor`
 * must be set for an actor operation: the edge authenticates, the operation never does.
 */
export async function executeOperation<N extends OperationName>(name: N, env: OperationEnv, input: OperationInput<N>): Promise<Outcome<OperationOutput<N>>> {
  const op = operation(name);
  const parsed = op.parse(input);
  if (op.access === 'public') return op.run(env as OperationEnv & { actor: Actor }, parsed);
  if (!env.actor) throw new AppError('unauthenticated', `${name} needs a signed-in caller`);
  op.policy(env.actor, parsed);
  return op.run(env as OperationEnv & { actor: Actor }, parsed);
}

/** Options of an in-process call. */
export interface RunOptions {
  /** The base of links the server writes (defaults to PRODBOARD_PUBLIC_URL, else the configured address). */
  publicUrl?: () => string;
  ip?: string;
}

/**
 * Runs operation `name` in process as `actor` (undefined for public operations) and returns its
 * output as a value: what the MCP tools call, with no HTTP hop. Errors are AppErrors, as over HTTP.
 */
export async function runOperation<N extends OperationName>(
  deps: AppDeps,
  name: N,
  actor: Actor | undefined,
  input: OperationInput<N>,
  options: RunOptions = {},
): Promise<OperationOutput<N>> {
  const publicUrl = options.publicUrl ?? (() => deps.config.publicUrl ?? `http://${deps.config.host}:${deps.config.port}`);
  const { output } = await executeOperation(name, { deps, actor, publicUrl, ip: options.ip }, input);
  return output instanceof JsonText ? (output.parse() as OperationOutput<N>) : output;
}
