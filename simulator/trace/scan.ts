/**
 * Byte-level scanning helpers shared by the text readers: number and ISO-time parsing straight from a
 * Buffer (no substring, no regex, no allocation on the fast path).
 */

const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

function isSpace(c: number): boolean { return c === 32 || c === 9 || c === 13 || c === 10; }

/**
 * Parses a decimal number in b[s, e) (surrounding blanks allowed; '.' is the decimal separator, and so is
 * `sep` when 44 ','). Returns NaN for an empty or malformed field. Up to 15 significant digits and |exp| ≤ 22 the
 * result is exact-rounded (one correctly rounded division); longer inputs go through Number().
 */
export function parseNum(b: Uint8Array, s: number, e: number, sep = 46): number {
  while (s < e && isSpace(b[s])) s++;
  while (e > s && isSpace(b[e - 1])) e--;
  if (s >= e) return NaN;
  let i = s;
  let neg = false;
  let c = b[i];
  if (c === 45) { neg = true; i++; } else if (c === 43) i++;
  let mant = 0, digits = 0, sig = 0, exp = 0;
  while (i < e) {
    c = b[i] - 48;
    if (c < 0 || c > 9) break;
    mant = mant * 10 + c; digits++; if (mant !== 0) sig++;
    i++;
  }
  if (i < e && (b[i] === 46 || b[i] === sep)) {
    i++;
    while (i < e) {
      c = b[i] - 48;
      if (c < 0 || c > 9) break;
      mant = mant * 10 + c; digits++; if (mant !== 0) sig++; exp--;
      i++;
    }
  }
  if (digits === 0) return NaN;
  if (i < e && (b[i] === 101 || b[i] === 69)) {
    i++;
    let eneg = false;
    if (i < e && b[i] === 45) { eneg = true; i++; } else if (i < e && b[i] === 43) i++;
    let ev = 0, ed = 0;
    while (i < e) {
      c = b[i] - 48;
      if (c < 0 || c > 9) break;
      ev = ev * 10 + c; ed++; i++;
    }
    if (ed === 0) return NaN;
    exp += eneg ? -ev : ev;
  }
  if (i !== e) return NaN;
  if (sig <= 15 && exp >= -22 && exp <= 22) {
    const v = exp < 0 ? mant / POW10[-exp] : mant * POW10[exp];
    return neg ? -v : v;
  }
  let str = '';
  for (let k = s; k < e; k++) str += String.fromCharCode(b[k] === sep ? 46 : b[k]);
  return Number(str);
}

/** Unsigned integer of exactly b[s, e) digits; -1 if empty or not all digits. */
export function parseUint(b: Uint8Array, s: number, e: number): number {
  if (s >= e) return -1;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = b[i] - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function d2(b: Uint8Array, i: number): number {
  const x = b[i] - 48, y = b[i + 1] - 48;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * ISO 8601 date-time in b[s, e): YYYY-MM-DD[(T| )hh:mm[:ss[.fff…]]][Z|±hh[:mm]] → ms since epoch (UTC).
 * No zone means UTC. NaN if malformed.
 */
export function parseIsoMs(b: Uint8Array, s: number, e: number): number {
  while (s < e && isSpace(b[s])) s++;
  while (e > s && isSpace(b[e - 1])) e--;
  if (e - s < 10 || b[s + 4] !== 45 || b[s + 7] !== 45) return NaN;
  const y = parseUint(b, s, s + 4), mo = d2(b, s + 5), d = d2(b, s + 8);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31) return NaN;
  let ms = daysFromCivil(y, mo, d) * 86_400_000;
  let i = s + 10;
  if (i === e) return ms;
  if (b[i] !== 84 && b[i] !== 116 && b[i] !== 32) return NaN;
  i++;
  if (e - i < 5 || b[i + 2] !== 58) return NaN;
  const hh = d2(b, i), mm = d2(b, i + 3);
  if (hh < 0 || hh > 24 || mm < 0 || mm > 59) return NaN;
  ms += (hh * 60 + mm) * 60_000;
  i += 5;
  if (i < e && b[i] === 58) {
    if (e - i < 3) return NaN;
    const ss = d2(b, i + 1);
    if (ss < 0 || ss > 60) return NaN;
    ms += ss * 1000;
    i += 3;
    if (i < e && (b[i] === 46 || b[i] === 44)) {
      i++;
      let scale = 100, frac = 0, nd = 0;
      while (i < e) {
        const c = b[i] - 48;
        if (c < 0 || c > 9) break;
        frac += c * scale; scale /= 10; nd++; i++;
      }
      if (nd === 0) return NaN;
      ms += frac;
    }
  }
  if (i === e) return ms;
  const z = b[i];
  if (z === 90 || z === 122) return i + 1 === e ? ms : NaN;
  if (z !== 43 && z !== 45) return NaN;
  const oh = d2(b, i + 1);
  if (oh < 0) return NaN;
  let om = 0;
  let j = i + 3;
  if (j < e && b[j] === 58) j++;
  if (j < e) { om = d2(b, j); if (om < 0) return NaN; j += 2; }
  if (j !== e) return NaN;
  const off = (oh * 60 + om) * 60_000;
  return z === 43 ? ms - off : ms + off;
}

export function latin1(b: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let k = s; k < e && k - s < 200; k++) out += String.fromCharCode(b[k]);
  return out;
}

/** Out-parameters of scanField: end = index of the delimiter / '\n' / buffer end; state 0 number, 1 empty, 2 not a number. */
export const FIELD = { end: 0, state: 0 };

/**
 * Parses the unquoted field starting at p (up to delimiter `d`, '\n' or the end) as a number in one
 * pass — the CSV hot path. Same rules and exactness as parseNum, result × 10^-shift (exact: the shift
 * moves the decimal exponent); sets FIELD.end and FIELD.state.
 */
export function scanField(b: Uint8Array, p: number, n: number, d: number, sep: number, shift = 0): number {
  const s0 = p;
  let c = p < n ? b[p] : 10;
  while (c === 32 || c === 9) c = ++p < n ? b[p] : 10;
  let neg = false;
  if (c === 45) { neg = true; c = ++p < n ? b[p] : 10; } else if (c === 43) c = ++p < n ? b[p] : 10;
  let mant = 0, digits = 0, sig = 0, exp = 0;
  while (c >= 48 && c <= 57) {
    mant = mant * 10 + (c - 48); digits++; if (mant !== 0) sig++;
    c = ++p < n ? b[p] : 10;
  }
  if (c === 46 || c === sep) {
    c = ++p < n ? b[p] : 10;
    while (c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48); digits++; if (mant !== 0) sig++; exp--;
      c = ++p < n ? b[p] : 10;
    }
  }
  let ok = digits > 0;
  if (ok && (c === 101 || c === 69)) {
    c = ++p < n ? b[p] : 10;
    let eneg = false;
    if (c === 45) { eneg = true; c = ++p < n ? b[p] : 10; } else if (c === 43) c = ++p < n ? b[p] : 10;
    let ev = 0, ed = 0;
    while (c >= 48 && c <= 57) { ev = ev * 10 + (c - 48); ed++; c = ++p < n ? b[p] : 10; }
    if (ed === 0) ok = false;
    exp += eneg ? -ev : ev;
  }
  while (c === 32 || c === 9 || c === 13) c = ++p < n ? b[p] : 10;
  if (c !== d && c !== 10) { // junk: not a number; find the field end
    while (p < n && b[p] !== d && b[p] !== 10) p++;
    FIELD.end = p; FIELD.state = 2;
    return NaN;
  }
  FIELD.end = p;
  if (!ok) { FIELD.state = digits === 0 && p - s0 >= 0 && !neg ? emptyOrJunk(b, s0, p) : 2; return NaN; }
  FIELD.state = 0;
  exp -= shift;
  if (sig <= 15 && exp >= -22 && exp <= 22) {
    const v = exp < 0 ? mant / POW10[-exp] : mant * POW10[exp];
    return neg ? -v : v;
  }
  return shift === 0 ? parseNum(b, s0, p, sep) : parseShifted(b, s0, p, shift);
}

/** 1 if b[s, e) is blank (after trimming CR/blanks), else 2. */
function emptyOrJunk(b: Uint8Array, s: number, e: number): number {
  for (let i = s; i < e; i++) { const c = b[i]; if (c !== 32 && c !== 9 && c !== 13) return 2; }
  return 1;
}

/**
 * Decimal number in b[s, e) times 10^-shift, computed by moving the decimal point in the text, so
 * 19-digit epoch nanoseconds (shift 6) or seconds with 9 decimals (shift -3) become milliseconds
 * without the rounding of a 19-digit double: integer part exact, fraction rounded once. Exponents
 * fall back to parseNum. NaN when malformed or empty.
 */
export function parseShifted(b: Uint8Array, s: number, e: number, shift: number): number {
  while (s < e && isSpace(b[s])) s++;
  while (e > s && isSpace(b[e - 1])) e--;
  if (s >= e) return NaN;
  let i = s, neg = false;
  if (b[i] === 45) { neg = true; i++; } else if (b[i] === 43) i++;
  let nInt = 0, dot = -1;
  for (let k = i; k < e; k++) {
    const c = b[k];
    if (c >= 48 && c <= 57) { if (dot < 0) nInt++; }
    else if (c === 46 && dot < 0) dot = k;
    else if (c === 101 || c === 69) { const v = parseNum(b, s, e); return v * 10 ** -shift; }
    else return NaN;
  }
  const point = nInt - shift; // digits before the shifted point
  let ip = 0, fp = 0, fd = point < 0 ? -point : 0, k = 0, digits = 0;
  for (let q = i; q < e; q++) {
    const c = b[q];
    if (c === 46) continue;
    const d = c - 48;
    if (k < point) ip = ip * 10 + d;
    else if (fd < 17) { fp = fp * 10 + d; fd++; }
    k++; digits++;
  }
  if (digits === 0) return NaN;
  while (k < point) { ip *= 10; k++; } // shifted point lies beyond the last digit
  const v = ip + (fd > 0 ? fp / 10 ** fd : 0);
  return neg ? -v : v;
}
