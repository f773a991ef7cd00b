// Text from other programs, made safe to print with t.comment().
//
// tap's parser (tap-parser) cuts its input into lines with /^.*\r?\n/, and `.` does not match
// a carriage return: one bare \r in a comment (a progress bar redrawing its line) stalls it.
// Everything the test writes after that is buffered and never parsed, so the test ends as
// "1..0 # no tests found" — a pass with no assertions, whatever its assertions said.

const ANSI_ESCAPE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Plain lines: ANSI escapes removed, every \r (alone or before \n) a line break, other control
 * characters dropped, blank lines dropped, and a line that TAP would read as the start of a
 * subtest ("# Subtest: ...") defused.
 */
export function tapSafeLines(text: string): string[] {
  return text
    .replace(ANSI_ESCAPE, '')
    .split(/\r\n|\r|\n/)
    .map((l) => l.replace(CONTROL, '').trimEnd().replace(/^(\s*)Subtest:/, '$1Subtest -'))
    .filter((l) => l.trim() !== '');
}

/** tapSafeLines joined with \n, for one t.comment(). */
export function tapSafe(text: string): string {
  return tapSafeLines(text).join('\n');
}
