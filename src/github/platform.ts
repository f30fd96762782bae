// Where Pilot can run: github.com and ghe.com, never GHES (the reason is said in the error).

export type PlatformKind = 'github.com' | 'ghe.com' | 'local';

export class UnsupportedPlatform extends Error {
  constructor(serverUrl: string) {
    super(
      `Pilot supports github.com and GitHub Enterprise Cloud with data residency (*.ghe.com), not GitHub ` +
        `Enterprise Server (${serverUrl}): it needs the Actions cache service v2 (for sessions and state) and ` +
        '`concurrency.queue: max` (to queue runs per issue), which GHES does not offer yet.',
    );
    this.name = 'UnsupportedPlatform';
  }
}

/** github.com, *.ghe.com, or a loopback test host; anything else is GHES and refused with the reason. */
export function platformOf(serverUrl: string): PlatformKind {
  let host: string;
  try {
    host = new URL(serverUrl).hostname.toLowerCase();
  } catch {
    throw new UnsupportedPlatform(serverUrl);
  }
  if (host === 'github.com') return 'github.com';
  if (host.endsWith('.ghe.com')) return 'ghe.com';
  if (host === 'localhost' || host.endsWith('.localhost') || host === '127.0.0.1' || host === '[::1]')
    return 'local';
  throw new UnsupportedPlatform(serverUrl);
}
