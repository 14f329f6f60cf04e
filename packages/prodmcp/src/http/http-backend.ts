/**
 * The tools' Backend over the prodboard HTTP API: each operation is one `/xapi2` call through the
 * API client (which retries reads, follows redirects safely and keeps sessions renewed).
 */
import type { Backend, JsonObject, ListParams, Page } from '@prodboard/tools';
import type { ApiClient } from './api-client.js';

const path = (type: string, id?: string) => `/xapi2/data/${encodeURIComponent(type)}${id === undefined ? '' : `/${encodeURIComponent(id)}`}`;
const ifMatch = (version: number | undefined) => (version === undefined ? undefined : { 'if-match': `"${version}"` });

/** The Backend of an API client. */
export function httpBackend(api: ApiClient): Backend {
  return {
    list: (type: string, params: ListParams, signal: AbortSignal) => api.json<Page>('GET', path(type), { query: params, signal }),
    get: (type: string, id: string, signal: AbortSignal) => api.json<JsonObject>('GET', path(type, id), { signal }),
    create: (type, fields, signal, options) =>
      api.json<JsonObject>('POST', path(type), { body: fields, signal, headers: options?.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : undefined }),
    update: (type, id, fields, signal, options) => api.json<JsonObject>('PATCH', path(type, id), { body: fields, signal, headers: ifMatch(options?.version) }),
    delete: (type, id, signal, options) => api.json<JsonObject>('DELETE', path(type, id), { signal, headers: ifMatch(options?.version) }),
    whoami: (signal: AbortSignal) => api.json<JsonObject>('GET', '/xapi2/auth/me', { signal }),
    members: (signal) => api.json<Page>('GET', '/xapi2/members', { signal }),
    activity: (params, signal) => api.json<Page>('GET', '/xapi2/activity', { query: params, signal }),
    trash: (params, signal) => api.json<Page>('GET', '/xapi2/trash', { query: params, signal }),
    restore: (type, id, signal) => api.json<JsonObject>('POST', `/xapi2/trash/${encodeURIComponent(type)}/${encodeURIComponent(id)}/restore`, { signal }),
    comments: (cardId, signal) => api.json<Page>('GET', `/xapi2/cards/${encodeURIComponent(cardId)}/comments`, { signal }),
    addComment: (cardId, body, signal) => api.json<JsonObject>('POST', `/xapi2/cards/${encodeURIComponent(cardId)}/comments`, { body: { body }, signal }),
    history: (cardId, limit, signal) => api.json<Page>('GET', `/xapi2/cards/${encodeURIComponent(cardId)}/history`, { query: { limit }, signal }),
  };
}
