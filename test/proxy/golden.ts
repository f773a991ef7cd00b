// Golden-text comparison: the expected text lives in test/proxy/golden/<name>.txt and must match
// exactly. SHOAL_UPDATE_GOLDEN=1 rewrites the files instead (review the diff before committing).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';

const GOLDEN_DIR = join(dirname(fileURLToPath(import.meta.url)), 'golden');

export function matchGolden(t: Test, name: string, text: string): void {
  const file = join(GOLDEN_DIR, `${name}.txt`);
  if (process.env.SHOAL_UPDATE_GOLDEN === '1') {
    writeFileSync(file, text);
    t.equal(readFileSync(file, 'utf8'), text, `golden ${name}.txt rewritten`);
    return;
  }
  if (!existsSync(file)) {
    t.fail(`golden file ${file} is missing; run with SHOAL_UPDATE_GOLDEN=1 to create it`);
    return;
  }
  t.equal(text, readFileSync(file, 'utf8'), `rendered text matches golden/${name}.txt`);
}
