// A table cell of the job summary. core.summary writes HTML tables, where GitHub renders no markdown
// inside cells: backticks would show literally and `<` would be markup. Text is escaped, then code spans
// become <code> and the bold/links the tracking comment uses become their HTML equivalents.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => HTML_ESCAPES[c]);
}

/** `code` → <code>, **bold** → <strong>, [text](https://…) → <a>; everything else is plain escaped text. */
export function cellHtml(markdown: string): string {
  const parts = markdown.split(/(`[^`\n]+`)/);
  return parts
    .map((part, i) => (i % 2 === 1 ? `<code>${escapeHtml(part.slice(1, -1))}</code>` : inline(part)))
    .join('');
}

function inline(text: string): string {
  return escapeHtml(text)
    .replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>')
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, '<a href="$2">$1</a>');
}
