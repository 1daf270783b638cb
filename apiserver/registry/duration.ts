// Human-readable durations exactly as kube's printers write them (k8s.io/apimachinery/pkg/util/duration): users and
// scripts read AGE, LAST SEEN and DURATION cells, so thresholds and mixed units ("2m5s", "3h10m", "2d3h", "2y45d")
// must match.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** HumanDuration: ~2-3 significant figures of a duration given in milliseconds. */
export function humanDuration(ms: number): string {
  // Go truncates toward zero; up to a second and a bit of clock skew still reads as "now".
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(ms / MINUTE);
  if (minutes < 10) return withRemainder(minutes, 'm', seconds % 60, 's');
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(ms / HOUR);
  if (hours < 8) return withRemainder(hours, 'h', minutes % 60, 'm');
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return withRemainder(days, 'd', hours % 24, 'h');
  if (hours < 24 * 365 * 2) return `${days}d`;
  if (hours < 24 * 365 * 8) return withRemainder(Math.floor(days / 365), 'y', days % 365, 'd');
  return `${Math.floor(days / 365)}y`;
}

function withRemainder(major: number, majorUnit: string, minor: number, minorUnit: string): string {
  return minor === 0 ? `${major}${majorUnit}` : `${major}${majorUnit}${minor}${minorUnit}`;
}

// Go's zero time.Time, which metav1.Time serializes for a zero timestamp and IsZero() reports as unset.
const GO_ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

/** Milliseconds since the epoch of a metav1.Time/MicroTime string, or undefined when unset or unparseable. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) || t === GO_ZERO_TIME ? undefined : t;
}

/** kube's translateTimestampSince: the age of a timestamp, "<unknown>" when it is unset. */
export function timestampSince(value: unknown, now: number = Date.now()): string {
  const t = parseTimestamp(value);
  return t === undefined ? '<unknown>' : humanDuration(now - t);
}

/** metav1.Time formatted as RFC 3339 in UTC with whole seconds (Go's time.RFC3339), as the default table prints it. */
export function rfc3339(value: unknown): string {
  const t = parseTimestamp(value);
  return t === undefined ? '0001-01-01T00:00:00Z' : new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
