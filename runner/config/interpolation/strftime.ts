// Python's `datetime.now().strftime(pattern)` for Hydra's `now` resolver: a naive local time in the C locale.
// Python handles `%f` itself and gives '' for `%z`/`%Z` on a naive datetime; everything else goes to glibc's
// strftime, whose directives are implemented here. An unknown directive is copied as written, as glibc does.

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January', 'February', 'March', 'April', 'May', 'June',
  'July', 'August', 'September', 'October', 'November', 'December',
];

const pad = (n: number, width = 2, fill = '0'): string => String(n).padStart(width, fill);

function dayOfYear(d: Date): number {
  const start = new Date(d.getFullYear(), 0, 1);
  const today = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  return Math.round((today.getTime() - start.getTime()) / 86_400_000) + 1;
}

/** Week number of the year with weeks starting on `firstDay` (0 Sunday for %U, 1 Monday for %W). */
function weekOfYear(d: Date, firstDay: number): number {
  const yday = dayOfYear(d) - 1;
  const wday = (d.getDay() - firstDay + 7) % 7;
  return Math.floor((yday + 7 - wday) / 7);
}

/** ISO 8601 week-based year and week number (%G, %V). */
function isoWeek(d: Date): { year: number; week: number } {
  const t = new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  return { year: t.getUTCFullYear(), week: Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7) };
}

function directive(c: string, d: Date, micros: number): string | undefined {
  const h12 = d.getHours() % 12 || 12;
  switch (c) {
    case 'a': return DAYS[d.getDay()]!.slice(0, 3);
    case 'A': return DAYS[d.getDay()]!;
    case 'b': case 'h': return MONTHS[d.getMonth()]!.slice(0, 3);
    case 'B': return MONTHS[d.getMonth()]!;
    case 'c': return `${directive('a', d, micros)} ${directive('b', d, micros)} ${pad(d.getDate(), 2, ' ')} ${directive('X', d, micros)} ${d.getFullYear()}`;
    case 'C': return pad(Math.floor(d.getFullYear() / 100));
    case 'd': return pad(d.getDate());
    case 'D': return `${pad(d.getMonth() + 1)}/${pad(d.getDate())}/${pad(d.getFullYear() % 100)}`;
    case 'e': return pad(d.getDate(), 2, ' ');
    case 'f': return pad(micros, 6);
    case 'F': return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    case 'g': return pad(isoWeek(d).year % 100);
    case 'G': return String(isoWeek(d).year);
    case 'H': return pad(d.getHours());
    case 'I': return pad(h12);
    case 'j': return pad(dayOfYear(d), 3);
    case 'k': return pad(d.getHours(), 2, ' ');
    case 'l': return pad(h12, 2, ' ');
    case 'm': return pad(d.getMonth() + 1);
    case 'M': return pad(d.getMinutes());
    case 'n': return '\n';
    case 'p': return d.getHours() < 12 ? 'AM' : 'PM';
    case 'P': return d.getHours() < 12 ? 'am' : 'pm';
    case 'r': return `${pad(h12)}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${directive('p', d, micros)}`;
    case 'R': return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    case 's': return String(Math.floor(d.getTime() / 1000));
    case 'S': return pad(d.getSeconds());
    case 't': return '\t';
    case 'T': case 'X': return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    case 'u': return String(d.getDay() || 7);
    case 'U': return pad(weekOfYear(d, 0));
    case 'V': return pad(isoWeek(d).week);
    case 'w': return String(d.getDay());
    case 'W': return pad(weekOfYear(d, 1));
    case 'x': return directive('D', d, micros);
    case 'y': return pad(d.getFullYear() % 100);
    case 'Y': return String(d.getFullYear());
    case 'z': case 'Z': return '';
    case '%': return '%';
    default: return undefined;
  }
}

/**
 * Formats `date` (read in local time, like Python's naive `datetime.now()`) with a strftime pattern.
 * `micros` is the microsecond field for `%f` (a JS Date keeps only milliseconds).
 */
export function strftime(pattern: string, date: Date, micros = date.getMilliseconds() * 1000): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch !== '%' || i + 1 >= pattern.length) {
      out += ch;
      continue;
    }
    const c = pattern[i + 1]!;
    const value = directive(c, date, micros);
    out += value ?? '%' + c;
    i++;
  }
  return out;
}
