// Text from people without write access is data, never instructions. It reaches the model only
// inside blocks tagged with a per-run nonce, with hidden content removed and links that could carry
// data off GitHub neutralised. The rule of thumb: what a maintainer does not see on the rendered
// issue must not reach the model, and nothing in it may steer output toward a foreign host.

// An unterminated `<!--` hides everything after it when GitHub renders the text, so strip to the end.
// `--!>` also closes a comment in HTML; anything between it and a later `-->` is over-stripped, which
// errs on the safe side.
const HTML_COMMENT = /<!--[\s\S]*?(?:--!?>|$)/g;
// Code points that render as nothing: zero-width, word joiner, BOM, soft hyphen, interlinear
// annotations, bidi controls (embedding, override, isolate, Arabic letter mark), Unicode tag
// characters (invisible "ASCII smuggling"), variation selectors (any byte can ride on one), and the
// blank "filler" letters that are not whitespace yet show nothing (Hangul fillers, braille blank,
// Khmer inherent vowels, Mongolian selectors, combining grapheme joiner, format controls).
const INVISIBLE_RANGES: Array<[number, number]> = [
  [0x00ad, 0x00ad], // soft hyphen
  [0x034f, 0x034f], // combining grapheme joiner
  [0x061c, 0x061c], // Arabic letter mark
  [0x115f, 0x1160], // Hangul choseong and jungseong fillers
  [0x17b4, 0x17b5], // Khmer inherent vowels
  [0x180b, 0x180f], // Mongolian free variation selectors and vowel separator
  [0x200b, 0x200f], // zero-width space/joiners, LRM/RLM
  [0x202a, 0x202e], // bidi embedding and override
  [0x2060, 0x2064], // word joiner, invisible operators
  [0x2066, 0x2069], // bidi isolates
  [0x2800, 0x2800], // braille pattern blank
  [0x3164, 0x3164], // Hangul filler
  [0xfe00, 0xfe0f], // variation selectors
  [0xfeff, 0xfeff], // BOM / zero-width no-break space
  [0xffa0, 0xffa0], // halfwidth Hangul filler
  [0xfff9, 0xfffb], // interlinear annotations
  [0x1bca0, 0x1bca3], // shorthand format controls
  [0x1d173, 0x1d17a], // musical symbol format controls
  [0xe0000, 0xe007f], // tag characters
  [0xe0100, 0xe01ef], // variation selectors supplement
];
// Built from code points, so each is removed on its own (never read as a combined character).
const INVISIBLE = new RegExp(
  `[${INVISIBLE_RANGES.map(([from, to]) => `\\u{${from.toString(16)}}-\\u{${to.toString(16)}}`).join('')}]`,
  'gu',
);

export function stripHidden(text: string): string {
  // Repeat until nothing changes: removing one piece can join two halves into a new `<!--`.
  let out = text;
  for (let i = 0; i < 10; i++) {
    const next = out.replace(HTML_COMMENT, '').replace(INVISIBLE, '');
    if (next === out) break;
    out = next;
  }
  return out;
}

const GITHUB_HOSTS = /^(?:[a-z0-9-]+\.)*(?:github\.com|githubusercontent\.com|ghe\.com)$/i;

/** The host of an absolute http(s)/other URL, or null for relative links (they stay in the repository). */
function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname || null;
  } catch {
    return null;
  }
}

function offGitHub(url: string): string | null {
  const host = hostOf(url);
  return host && !GITHUB_HOSTS.test(host) ? host : null;
}

/**
 * Inline markdown links and images: `[x](url)`, `![x](url "title")`. Titles show only on hover and an
 * image's alt text only when it fails to load, so both go: what the maintainer sees is what is left.
 */
function inlineLinks(text: string): string {
  return text.replace(
    /(!?)\[([^\]]*)\]\(\s*<?([^)\s>]+)>?[^)]*\)/g,
    (_whole, bang: string, label: string, url: string) => {
      const host = offGitHub(url);
      if (bang) return host ? '[image removed]' : `![](${url})`;
      return host ? `${label} (link to ${host} removed)` : `[${label}](${url})`;
    },
  );
}

/**
 * Reference definitions (`[1]: https://evil "title"`) are invisible when rendered, so a foreign one is
 * removed and a GitHub one loses its hover-only title (`[//]: # (hidden)` is a known comment trick).
 */
function referenceDefinitions(text: string): string {
  return text.replace(
    /^ {0,3}\[([^\]\n]+)\]:[ \t]*<?([^\s>]*)>?.*$/gm,
    (_whole, label: string, url: string) => {
      const host = offGitHub(url);
      if (host) return `[${label}]: (link to ${host} removed)`;
      return url && url !== '#' ? `[${label}]: ${url}` : '';
    },
  );
}

/** Autolinks `<https://evil/x>`. */
function autolinks(text: string): string {
  return text.replace(/<([a-z][a-z0-9+.-]{1,31}:[^\s<>]+)>/gi, (whole, url: string) => {
    const host = offGitHub(url);
    return host ? `(link to ${host} removed)` : whole;
  });
}

/** `name="…"`, `name='…'` or `name=…` inside one HTML tag. */
function attrPattern(name: string, flags = 'i'): RegExp {
  return new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, flags);
}

/** Hover titles and alt text of any HTML tag are not shown on the rendered page: they go. */
function hiddenAttributes(text: string): string {
  return text.replace(/<[a-z][^<>]*>/gi, (tag) => tag.replace(attrPattern('(?:title|alt)', 'gi'), ''));
}

/** HTML images and anchors: GitHub renders them, and an image is fetched as soon as it is shown. */
function htmlTags(text: string): string {
  const attr = (tag: string, name: string) => attrPattern(name).exec(tag)?.slice(1).find(Boolean);
  return hiddenAttributes(text)
    .replace(/<(?:img|image|source|video|audio|iframe|embed|object)\b[^>]*>/gi, (tag) => {
      const urls = [attr(tag, 'src'), attr(tag, 'srcset'), attr(tag, 'data'), attr(tag, 'poster')];
      if (!urls.some((u) => u?.split(/[\s,]+/).some((part) => offGitHub(part)))) return tag;
      return '[image removed]';
    })
    .replace(/<a\b[^>]*>/gi, (tag) => {
      const host = offGitHub(attr(tag, 'href') ?? '');
      return host ? `(link to ${host} removed) ` : tag;
    });
}

/**
 * Bare URLs are autolinked by GitHub. A foreign one keeps its host and path (a docs link stays
 * useful) but loses its query string and fragment, the usual carriers of a data-exfiltration template.
 */
function rawUrls(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s<>()"'`\]]+/gi, (url) => {
    const host = offGitHub(url);
    if (!host) return url;
    const cut = url.search(/[?#]/);
    return cut < 0 ? url : `${url.slice(0, cut)} (query removed)`;
  });
}

/** Images and links to hosts outside GitHub could carry data out when rendered: keep only their text. */
export function neutraliseLinks(text: string): string {
  return rawUrls(htmlTags(autolinks(referenceDefinitions(inlineLinks(text)))));
}

// Letters that look like the ASCII in "pilot" and a slash (Cyrillic, Greek, fullwidth, …). NFKC folds
// the fullwidth and mathematical forms; these are the confusables it leaves alone.
const CONFUSABLES: Record<string, string> = {
  р: 'p',
  Р: 'p',
  ρ: 'p',
  і: 'i',
  І: 'i',
  ι: 'i',
  ӏ: 'l',
  Ι: 'i',
  ο: 'o',
  о: 'o',
  О: 'o',
  Ο: 'o',
  т: 't',
  Т: 't',
  τ: 't',
  '∕': '/',
  '⁄': '/',
  '╱': '/',
  '⧸': '/',
};

function skeleton(line: string): string {
  return [...line.normalize('NFKC')]
    .map((ch) => CONFUSABLES[ch] ?? ch)
    .join('')
    .toLowerCase();
}

/**
 * Lines in untrusted text that read as a Pilot command (including look-alikes such as `／pilot` or a
 * Cyrillic `р`) are marked as quoted, so neither the model nor a human skimming the prompt takes them
 * for the maintainer's instruction.
 */
export function neutraliseCommands(text: string): string {
  return text
    .split('\n')
    .map((line) =>
      /^[\s>]*\/\s*pilot\b/.test(skeleton(line)) ? `(quoted text, not a command) ${line}` : line,
    )
    .join('\n');
}

/** What any issue text becomes before it reaches the model. */
export function cleanText(text: string): string {
  return neutraliseLinks(stripHidden(text));
}

export function quoteUntrusted(text: string, nonce: string, label: string): string {
  const clean = neutraliseCommands(cleanText(text)).split(`untrusted-${nonce}`).join('untrusted-[removed]');
  return `<untrusted-${nonce} source="${label}">\n${clean}\n</untrusted-${nonce}>`;
}

/** Cuts text to `max` characters with a note saying so (the note is part of the budget). */
export function capText(text: string, max: number, what = 'text'): string {
  if (text.length <= max) return text;
  const note = `\n[… ${what} truncated: ${text.length - max} more characters left out to fit the context limit]`;
  const keep = Math.max(0, max - note.length);
  let cut = text.slice(0, keep);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut + note;
}
