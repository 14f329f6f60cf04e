/**
 * Node builtins that only some paths need, loaded on first use. In the single-file bundle every
 * static import is loaded at start-up, and https (TLS), crypto and child_process cost tens of
 * milliseconds there, before the host gets its first answer.
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/** node:http */
export const http = () => load('node:http') as typeof import('node:http');
/** node:https */
export const https = () => load('node:https') as typeof import('node:https');
/** node:crypto */
export const crypto = () => load('node:crypto') as typeof import('node:crypto');
/** node:child_process */
export const childProcess = () => load('node:child_process') as typeof import('node:child_process');
