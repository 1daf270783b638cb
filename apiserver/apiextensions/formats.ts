// The string formats kube checks in custom resources (apiextensions' supported formats, as go-openapi's strfmt
// validates them). Any other format in a CRD schema is ignored, as kube strips it before validating.
import { isIP, isIPv4, isIPv6 } from 'node:net';

const re = (pattern: RegExp) => (s: string) => pattern.test(s);

const UUID = '[0-9a-f]{8}-?[0-9a-f]{4}-?';
const OCTET = '(?:0|[1-9]\\d?|1\\d\\d|2[0-4]\\d|25[0-5])';
const DURATION_UNIT = '(?:ns|us|µs|ms|s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|wk|wks|week|weeks)';

const FORMATS: Record<string, (s: string) => boolean> = {
  bsonobjectid: re(/^[0-9a-fA-F]{24}$/),
  uri: (s) => s.startsWith('/') || canParseURL(s),
  email: re(/^(?:[^<>@\s]+@[^<>@\s]+|[^<>]*<[^<>@\s]+@[^<>@\s]+>)$/),
  hostname: (s) => s.length <= 255 && /^(?:[\p{L}\p{S}a-zA-Z0-9](?:-?[\p{L}\p{S}a-zA-Z0-9]{0,62})?|(?:[\p{L}\p{S}a-zA-Z0-9](?:[\p{L}\p{S}a-zA-Z0-9-]{0,61}[\p{L}\p{S}a-zA-Z0-9])?\.)+[\p{L}a-zA-Z]{2,63})$/u.test(s),
  ipv4: (s) => isIPv4(s),
  ipv6: (s) => isIPv6(s),
  cidr: isCIDR,
  mac: re(/^(?:[0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){5}|[0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){7}|[0-9a-fA-F]{2}(?:[:-][0-9a-fA-F]{2}){19}|[0-9a-fA-F]{4}(?:\.[0-9a-fA-F]{4}){2,9})$/),
  uuid: re(new RegExp(`^${UUID}[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$`, 'i')),
  uuid3: re(new RegExp(`^${UUID}3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$`, 'i')),
  uuid4: re(new RegExp(`^${UUID}4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$`, 'i')),
  uuid5: re(new RegExp(`^${UUID}5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$`, 'i')),
  isbn: (s) => isISBN10(s) || isISBN13(s),
  isbn10: isISBN10,
  isbn13: isISBN13,
  creditcard: (s) => /^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11})$/.test(s.replace(/\D/g, '')),
  ssn: re(/^\d{3}[- ]?\d{2}[- ]?\d{4}$/),
  hexcolor: re(/^#?(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/),
  rgbcolor: re(new RegExp(`^rgb\\(\\s*${OCTET}\\s*,\\s*${OCTET}\\s*,\\s*${OCTET}\\s*\\)$`)),
  byte: re(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/),
  password: () => true,
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && validDate(s),
  duration: re(new RegExp(`^(?:-?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:ns|us|µs|ms|s|m|h))+$|^-?\\s?\\d+\\s*${DURATION_UNIT}$|^0$`)),
  datetime: (s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/.test(s) && validDate(s.slice(0, 10)),
};

/** The format's checker, or undefined when kube ignores the format (names compare without dashes: date-time). */
export function formatChecker(format: string | undefined): ((s: string) => boolean) | undefined {
  return format ? FORMATS[format.replaceAll('-', '')] : undefined;
}

function canParseURL(s: string): boolean {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

function isCIDR(s: string): boolean {
  const [ip, bits, ...rest] = s.split('/');
  if (rest.length || bits === undefined || !/^(?:0|[1-9]\d*)$/.test(bits)) return false;
  const version = isIP(ip);
  return version !== 0 && Number(bits) <= (version === 4 ? 32 : 128);
}

function validDate(ymd: string): boolean {
  const [y, m, d] = ymd.split('-').map(Number);
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

function isISBN10(s: string): boolean {
  const v = s.replace(/[\s-]/g, '');
  if (!/^\d{9}[\dX]$/.test(v)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (10 - i) * (v[i] === 'X' ? 10 : Number(v[i]));
  return sum % 11 === 0;
}

function isISBN13(s: string): boolean {
  const v = s.replace(/[\s-]/g, '');
  if (!/^\d{13}$/.test(v)) return false;
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += (i % 2 ? 3 : 1) * Number(v[i]);
  return sum % 10 === 0;
}
