/**
 * Boot: a small script that runs before the app's main bundle (React and the pages), so the live
 * stream and, when the address names a board, the board's first pages are already on their way
 * while the browser is still compiling the rest.
 */
import { sessionToken } from './api/session.js';
import { matchPath } from './app/paths.js';
import { preloadBoard } from './board/loading.js';
import { live } from './live/live.js';

const token = sessionToken();
if (token) {
  live.setToken(token);
  const board = matchPath('/boards/:id', window.location.pathname);
  if (board) preloadBoard(board.id);
}
