/** Rendered Markdown (sanitised; see markdown.ts), with mentions shown by name. */
import { useMemo } from 'react';
import { type MentionName, renderMarkdown } from './markdown.js';

export function Markdown({ text, mentions, className }: { text: string; mentions?: readonly MentionName[]; className?: string }) {
  const html = useMemo(() => renderMarkdown(text, mentions), [text, mentions]);
  // renderMarkdown's output is sanitised by DOMPurify; nothing else reaches innerHTML.
  return <div className={`markdown ${className ?? ''}`} dangerouslySetInnerHTML={{ __html: html }} />;
}
