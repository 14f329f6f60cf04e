/**
 * The signed-in part of the app as separately loaded chunks. One place names them, so boot.ts can
 * start fetching the ones the address needs before React starts, and App.tsx renders the same
 * modules (a module is fetched once, whoever asks first).
 */
export const signedInModules = {
  shell: () => import('./Shell.js'),
  board: () => import('../pages/BoardPage.js'),
  boards: () => import('../pages/BoardsPage.js'),
};
