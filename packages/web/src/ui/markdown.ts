/**
 * Markdown as safe HTML: marked renders, DOMPurify keeps only inert markup (no scripts, no event
 * handlers, no `javascript:` or other unsafe URLs), links open in a new tab with
 * rel="noopener noreferrer nofollow", and each resolved `@handle` becomes a mention chip showing the
 * member's current name. Raw HTML in the source is escaped as text, never interpreted.
 */
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

/** A resolved mention: the handle as written, and the member's name to show. */
export interface MentionName {
  handle: string;
  name: string | null;
  user_id: string;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

// One instance of our own, so no other code's marked.use() changes how we render.
const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  // Raw HTML is shown as the text it is: people write "<div>" to talk about it, not to inject it.
  renderer: { html: ({ text }) => escapeHtml(text) },
});

const purify = DOMPurify(window);
purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
});

const PURIFY_OPTIONS = {
  ALLOWED_TAGS: ['a', 'p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'input'],
  ALLOWED_ATTR: ['href', 'title', 'type', 'checked', 'disabled', 'start', 'align'],
  RETURN_DOM_FRAGMENT: true as const,
};

/** Replaces `@handle` in the fragment's text (outside code) with mention chips. */
function markMentions(root: DocumentFragment, mentions: readonly MentionName[]): void {
  if (mentions.length === 0) return;
  const byHandle = new Map(mentions.map((m) => [m.handle, m]));
  const pattern = new RegExp(`@(${mentions.map((m) => m.handle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![\\p{L}\\p{N}_-])`, 'gu');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!(n.parentElement?.closest('code, pre, a'))) texts.push(n as Text);
  }
  for (const text of texts) {
    const value = text.data;
    pattern.lastIndex = 0;
    if (!pattern.test(value)) continue;
    pattern.lastIndex = 0;
    const out = document.createDocumentFragment();
    let last = 0;
    for (const m of value.matchAll(pattern)) {
      out.append(value.slice(last, m.index));
      const mention = byHandle.get(m[1])!;
      const chip = document.createElement('span');
      chip.className = 'mention';
      chip.dataset.userId = mention.user_id;
      chip.textContent = `@${mention.name ?? mention.handle}`;
      out.append(chip);
      last = m.index + m[0].length;
    }
    out.append(value.slice(last));
    text.replaceWith(out);
  }
}

/** Markdown source → sanitised HTML, with mentions shown by name. */
export function renderMarkdown(source: string, mentions: readonly MentionName[] = []): string {
  const html = marked.parse(source) as string;
  const fragment = purify.sanitize(html, PURIFY_OPTIONS) as DocumentFragment;
  markMentions(fragment, mentions);
  const box = document.createElement('div');
  box.append(fragment);
  return box.innerHTML;
}
