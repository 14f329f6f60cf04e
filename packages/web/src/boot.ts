/**
 * Boot: a small script that runs before the app's main bundle (React and the pages), so the live
 * stream, the signed-in pages' script and, when the address names a board, the board's first pages
 * are already on their way while the browser is still compiling the rest.
 */
import { sessionToken } from './api/session.js';
import { signedInModules } from './app/lazy.js';
import { matchPath } from './app/paths.js';
import { preloadBoard } from './board/loading.js';
import { live } from './live/live.js';

const token = sessionToken();
if (token) {
  live.setToken(token);
  const path = window.location.pathname;
  const board = matchPath('/boards/:id', path);
  if (board) preloadBoard(board.id);
  // Errors surface where the app renders these modules; here they only start the downloads.
  void signedInModules.shell().catch(() => {});
  if (board) void signedInModules.board().catch(() => {});
  else if (path === '/') void signedInModules.boards().catch(() => {});
}
