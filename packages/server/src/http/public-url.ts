/**
 * Where links the server writes (invitations) point. Never a request's Host or X-Forwarded-Host:
 * anyone can forge those, and a link to their site would carry a real invite token.
 */
import type { Server } from 'node:http';
import type { ServerConfig } from '../config.js';

/** PRODBOARD_PUBLIC_URL, or else the address the server listens on (localhost for a wildcard). */
export function publicBaseUrl(config: ServerConfig, server: Server): string {
  if (config.publicUrl) return config.publicUrl;
  const bound = server.address();
  const address = bound && typeof bound === 'object' ? bound : { address: config.host, port: config.port };
  const host = ['0.0.0.0', '::', ''].includes(address.address) ? 'localhost' : address.address.includes(':') ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}
