// Cron schedules as CronJobs take them: five fields (minute hour day-of-month month
// day-of-week) with `*`, `a`, `a-b`, `*/n`, `a-b/n`, lists, month and weekday names, `?` for a day
// field; or @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly.
// parseCron returns the sets of allowed values, for the CronJob controller to find next times.

export interface CronSchedule {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  /** 0 = Sunday. */
  readonly daysOfWeek: ReadonlySet<number>;
  /** True when the day-of-month field was `*` or `?` (cron's OR rule between the two day fields). */
  readonly anyDayOfMonth: boolean;
  readonly anyDayOfWeek: boolean;
}

const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  readonly namesFrom?: number;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 },
  { name: 'day of week', min: 0, max: 7, names: DAYS, namesFrom: 0 },
];

function parseValue(text: string, f: FieldSpec): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const i = f.names?.indexOf(text.toUpperCase()) ?? -1;
  return i >= 0 ? i + (f.namesFrom ?? 0) : undefined;
}

function parseField(text: string, f: FieldSpec): Set<number> | string {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) return `invalid step ${JSON.stringify(stepText)} in ${f.name} field`;
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') [lo, hi] = [f.min, f.max];
    else {
      const [a = '', b] = range.split('-');
      const va = parseValue(a, f);
      const vb = b === undefined ? undefined : parseValue(b, f);
      if (va === undefined || (b !== undefined && vb === undefined)) return `invalid value ${JSON.stringify(range)} in ${f.name} field`;
      lo = va;
      hi = vb ?? (stepText !== undefined ? f.max : va);
    }
    if (lo < f.min || hi > f.max || lo > hi) return `${f.name} field value ${JSON.stringify(part)} is out of range ${f.min}-${f.max}`;
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Parses a schedule; a string names what is wrong. */
export function parseCron(schedule: string): CronSchedule | string {
  const text = schedule.trim();
  if (/^(TZ|CRON_TZ)=/.test(text)) return 'TZ/CRON_TZ is not supported in the schedule';
  const expanded = DESCRIPTORS[text] ?? text;
  if (expanded.startsWith('@')) return `unrecognized descriptor ${JSON.stringify(text)}`;
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) return `expected exactly 5 fields (minute hour day-of-month month day-of-week), found ${parts.length}`;
  const sets: Set<number>[] = [];
  for (const [i, f] of FIELDS.entries()) {
    const s = parseField(parts[i]!, f);
    if (typeof s === 'string') return s;
    sets.push(s);
  }
  const dow = sets[4]!;
  if (dow.has(7)) {
    dow.delete(7);
    dow.add(0);
  }
  const star = (p: string | undefined): boolean => p === '*' || p === '?';
  return { minutes: sets[0]!, hours: sets[1]!, daysOfMonth: sets[2]!, months: sets[3]!, daysOfWeek: dow, anyDayOfMonth: star(parts[2]), anyDayOfWeek: star(parts[4]) };
}
