/**
 * Rendered Markdown (sanitised; see markdown.ts), with mentions shown by name.
 *
 * The renderer (marked and DOMPurify, about 60 KB of script) is a chunk of its own, loaded when
 * Markdown is first shown or about to be (`preloadMarkdown`, which the board calls when a pointer or
 * the keyboard reaches its cards): a board that is only looked at never downloads or compiles it.
 * Until it has arrived the text shows as written, as plain text.
 */
import { useEffect, useMemo, useState } from 'react';
import type { MentionName } from './markdown.js';

type Renderer = typeof import('./markdown.js');
let renderer: Renderer | undefined;
let loading: Promise<Renderer> | undefined;

/** Loads the Markdown renderer (once; a failed load is tried again on the next call). */
export function loadMarkdown(): Promise<Renderer> {
  loading ??= import('./markdown.js').then(
    (module) => (renderer = module),
    (err: unknown) => {
      loading = undefined;
      throw err;
    },
  );
  return loading;
}

/** Starts loading the renderer ahead of need; free to call on every pointer move. */
export function preloadMarkdown(): void {
  if (!renderer && !loading) loadMarkdown().catch(() => {});
}

export function Markdown({ text, mentions, className }: { text: string; mentions?: readonly MentionName[]; className?: string }) {
  const [ready, setReady] = useState(() => renderer !== undefined);
  useEffect(() => {
    if (ready) return;
    let current = true;
    // Without the renderer (offline, say) the plain text stays, which is still the whole comment.
    loadMarkdown().then(
      () => current && setReady(true),
      () => {},
    );
    return () => {
      current = false;
    };
  }, [ready]);
  const html = useMemo(() => (ready && renderer ? renderer.renderMarkdown(text, mentions) : undefined), [ready, text, mentions]);
  // The plain text carries none of the caller's classes, so whatever styles or finds rendered
  // Markdown (a comment's body, the description) waits for the real thing.
  if (html === undefined) return <div className="markdown markdown-pending">{text}</div>;
  // renderMarkdown's output is sanitised by DOMPurify; nothing else reaches innerHTML.
  return <div className={`markdown ${className ?? ''}`} dangerouslySetInnerHTML={{ __html: html }} />;
}
