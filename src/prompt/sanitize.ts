// Text from people without write access is data, never instructions. It reaches the model only
// inside blocks tagged with a per-run nonce, with hidden content removed.

const HTML_COMMENT = /<!--[\s\S]*?(-->|$)/g;
// Zero-width, word joiner, BOM, soft hyphen, and bidi controls (embedding, override, isolate).
const INVISIBLE = /[\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

export function stripHidden(text: string): string {
  return text.replace(HTML_COMMENT, '').replace(INVISIBLE, '');
}

const GITHUB_HOSTS = /^(?:[a-z0-9-]+\.)*(?:github\.com|githubusercontent\.com|ghe\.com)$/i;

/** Images and links to hosts outside GitHub could carry data out when rendered: keep only their text. */
export function neutraliseLinks(text: string): string {
  return text.replace(
    /(!?)\[([^\]]*)\]\(\s*<?([^)\s>]+)>?[^)]*\)/g,
    (whole, bang: string, label: string, url: string) => {
      let host = '';
      try {
        host = new URL(url).hostname;
      } catch {
        return whole; // relative link: stays inside the repository
      }
      if (GITHUB_HOSTS.test(host)) return whole;
      return bang ? `[image removed: ${label || 'untitled'}]` : `${label} (link to ${host} removed)`;
    },
  );
}

export function quoteUntrusted(text: string, nonce: string, label: string): string {
  const clean = neutraliseLinks(stripHidden(text)).split(`untrusted-${nonce}`).join('untrusted-[removed]');
  return `<untrusted-${nonce} source="${label}">\n${clean}\n</untrusted-${nonce}>`;
}
