// SHA-256 of the native `claude` binary per version and platform. A binary restored from a cache runs
// only when it matches. linux-x64 2.1.331 was computed from the npm package
// @anthropic-ai/claude-code-linux-x64@2.1.331 (`bin/claude.exe` after install is the same file).
// linux-arm64 could not be computed here: unpinned → a cached copy is never trusted and the CLI is
// always reinstalled from npm, which checks the registry's integrity hash.
export const PINNED_SHA256: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  '2.1.331': {
    'linux-x64': '4c00839cf46beb2b38ec310105f2d538f7f9321fe46c636299b74bcab94626b1',
  },
};

export type Pins = typeof PINNED_SHA256;

export function pinFor(pins: Pins, version: string, platform: string): string | undefined {
  return pins[version]?.[platform];
}
