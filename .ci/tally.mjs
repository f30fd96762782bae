// Adds up the vitest JSON reports and the failed CI steps into the closing line "N passed, M failed".
// Exits 1 whenever anything failed: a failed test, a failed step, or a missing/broken report.
import { existsSync, readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const flag = args.indexOf('--checks-failed');
const checksFailed = flag >= 0 ? Number(args[flag + 1]) || 0 : 0;
const reports = flag >= 0 ? args.slice(0, flag) : args;

let passed = 0;
let failed = checksFailed;
for (const path of reports) {
  if (!existsSync(path)) {
    console.log(`no test report at ${path}`);
    failed++;
    continue;
  }
  const r = JSON.parse(readFileSync(path, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  // A suite that failed to load counts no failed test but is not a success.
  if (!r.success && r.numFailedTests === 0) failed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
