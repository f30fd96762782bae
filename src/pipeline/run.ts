import * as core from '@actions/core';

/** Entry of the main step: the one place that calls setFailed. */
export async function run(): Promise<void> {
  try {
    core.info('Pilot: nothing to do yet');
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error));
  }
}
