/**
 * The tools' Backend over the prodboard HTTP API: each operation is one `/xapi2` call through the
 * API client (which retries reads, follows redirects safely and keeps sessions renewed).
 */
import type { Backend, JsonObject, ListParams, Page } from '@prodboard/tools';
import type { ApiClient } from './api-client.js';

const path = (type: string, id?: string) => `/xapi2/data/${encodeURIComponent(type)}${id === undefined ? '' : `/${encodeURIComponent(id)}`}`;

/** The Backend of an API client. */
export function httpBackend(api: ApiClient): Backend {
  return {
    list: (type: string, params: ListParams, signal: AbortSignal) => api.json<Page>('GET', path(type), { query: params, signal }),
    get: (type: string, id: string, signal: AbortSignal) => api.json<JsonObject>('GET', path(type, id), { signal }),
    create: (type: string, fields: JsonObject, signal: AbortSignal) => api.json<JsonObject>('POST', path(type), { body: fields, signal }),
    update: (type: string, id: string, fields: JsonObject, signal: AbortSignal) => api.json<JsonObject>('PATCH', path(type, id), { body: fields, signal }),
    delete: (type: string, id: string, signal: AbortSignal) => api.json<JsonObject>('DELETE', path(type, id), { signal }),
    whoami: (signal: AbortSignal) => api.json<JsonObject>('GET', '/xapi2/auth/me', { signal }),
  };
}
