import * as core from '@actions/core';

/** Entry of the post step: its own errors become warnings, never a failed job. */
export async function post(): Promise<void> {
  try {
    core.info('Pilot post: nothing to clean up');
  } catch (error) {
    core.warning(`Pilot post step: ${error instanceof Error ? error.message : String(error)}`);
  }
}
