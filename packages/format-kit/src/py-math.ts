/**
 * `math.cos`, `math.sin`, `math.atan` and `math.radians` as Python computes them on
 * glibc: correctly rounded. V8's `Math.cos` (fdlibm) is accurate to one unit in the
 * last place but not always correctly rounded (`Math.cos(0.7623159938162848)` is one
 * unit above glibc's), and `--compat python` prints these results with every digit.
 * Each function evaluates in double-double arithmetic (about 106 bits) and rounds once,
 * so it agrees with glibc except in the rare case of a value within 2^-100 of a halfway
 * point. About 0.2 µs a call: use it for `--compat python` output only.
 */

// A double-double value is hi + lo with |lo| <= ulp(hi) / 2. The helpers below return
// their result in (R[RH]!, R[RL]!): a typed array, because a module-level `let` holding a
// double is a heap number, and every write to it allocates (ten times slower).
const R = new Float64Array(7);
const RH = 0;
const RL = 1;
const SIN_H = 2;
const SIN_L = 3;
const COS_H = 4;
const COS_L = 5;
/** The argument of the last sincos() (Python asks for the sine and cosine of one angle in a row). */
const LAST_X = 6;
R[LAST_X] = Number.NaN;

const SPLITTER = 134217729; // 2^27 + 1

/** hi + lo = a * b exactly (Dekker). */
function twoProd(a: number, b: number): void {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  R[RH] = p;
  R[RL] = ah * bh - p + ah * bl + al * bh + al * bl;
}

/** (ah, al) + (bh, bl). */
function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  const s = ah + bh;
  const v = s - ah;
  const e = ah - (s - v) + (bh - v) + al + bl;
  R[RH] = s + e;
  R[RL] = e - (R[RH]! - s);
}

/** (ah, al) * (bh, bl). */
function ddMul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  const p = R[RH]!;
  const e = R[RL]! + (ah * bl + al * bh);
  R[RH] = p + e;
  R[RL] = e - (R[RH]! - p);
}

/** (ah, al) / b, for a double b. */
function ddDivNumber(ah: number, al: number, b: number): void {
  const q1 = ah / b;
  twoProd(q1, b);
  const r = (ah - R[RH]! - R[RL]! + al) / b;
  R[RH] = q1 + r;
  R[RL] = r - (R[RH]! - q1);
}

// π/2 in three parts (each the nearest double of what the previous ones leave).
const PIO2_1 = 1.5707963267948966;
const PIO2_2 = 6.123233995736766e-17;
const PIO2_3 = -1.4973849048591698e-33;

/** Series terms: for |r| <= π/4 the first left out, r^24 / 24!, is below 2^-82. */
const TERMS = 12;

// (-1)^k / (2k)! and (-1)^k / (2k+1)! as double-doubles, k < TERMS.
const COS_HI: number[] = [];
const COS_LO: number[] = [];
const SIN_HI: number[] = [];
const SIN_LO: number[] = [];
{
  let h = 1;
  let l = 0;
  for (let n = 1; n < 2 * TERMS; n++) {
    ddDivNumber(h, l, n);
    h = R[RH]!;
    l = R[RL]!;
    const k = n >> 1;
    const sign = k % 2 === 0 ? 1 : -1;
    if (n % 2 === 0) {
      COS_HI[k] = sign * h;
      COS_LO[k] = sign * l;
    } else {
      SIN_HI[k] = sign * h;
      SIN_LO[k] = sign * l;
    }
  }
  COS_HI[0] = 1;
  COS_LO[0] = 0;
}

/** Largest |x| reduced here; beyond it the functions fall back to V8's. */
const MAX_REDUCED = 2 ** 30;

/** Sets (R[SIN_H]!, R[SIN_L]!) and (R[COS_H]!, R[COS_L]!) to sin x and cos x; false when |x| is too large. */
function sincos(x: number): boolean {
  if (x === R[LAST_X]!) return true;
  if (!(Math.abs(x) <= MAX_REDUCED)) return false;
  R[LAST_X] = x;
  const k = Math.round(x / PIO2_1);
  // r = x - k·π/2, in double-double.
  twoProd(k, PIO2_1);
  const ph = R[RH]!;
  const pl = R[RL]!;
  ddAdd(x, 0, -ph, -pl);
  let r1 = R[RH]!;
  let r2 = R[RL]!;
  twoProd(k, PIO2_2);
  ddAdd(r1, r2, -R[RH]!, -R[RL]!);
  r1 = R[RH]!;
  r2 = R[RL]!;
  ddAdd(r1, r2, -k * PIO2_3, 0);
  r1 = R[RH]!;
  r2 = R[RL]!;
  // r² and the two series by Horner.
  ddMul(r1, r2, r1, r2);
  const zh = R[RH]!;
  const zl = R[RL]!;
  let sh = SIN_HI[TERMS - 1]!;
  let sl = SIN_LO[TERMS - 1]!;
  let ch = COS_HI[TERMS - 1]!;
  let cl = COS_LO[TERMS - 1]!;
  for (let i = TERMS - 2; i >= 0; i--) {
    ddMul(sh, sl, zh, zl);
    ddAdd(R[RH]!, R[RL]!, SIN_HI[i]!, SIN_LO[i]!);
    sh = R[RH]!;
    sl = R[RL]!;
    ddMul(ch, cl, zh, zl);
    ddAdd(R[RH]!, R[RL]!, COS_HI[i]!, COS_LO[i]!);
    ch = R[RH]!;
    cl = R[RL]!;
  }
  ddMul(sh, sl, r1, r2);
  sh = R[RH]!;
  sl = R[RL]!;
  switch (((k % 4) + 4) % 4) {
    case 0:
      R[SIN_H] = sh;
      R[SIN_L] = sl;
      R[COS_H] = ch;
      R[COS_L] = cl;
      break;
    case 1:
      R[SIN_H] = ch;
      R[SIN_L] = cl;
      R[COS_H] = -sh;
      R[COS_L] = -sl;
      break;
    case 2:
      R[SIN_H] = -sh;
      R[SIN_L] = -sl;
      R[COS_H] = -ch;
      R[COS_L] = -cl;
      break;
    default:
      R[SIN_H] = -ch;
      R[SIN_L] = -cl;
      R[COS_H] = sh;
      R[COS_L] = sl;
  }
  return true;
}

/** Python's `math.cos` (correctly rounded). */
export function pyCos(x: number): number {
  if (x === 0) return 1;
  if (!sincos(x)) return Math.cos(x);
  return R[COS_H]! + R[COS_L]!;
}

/** Python's `math.sin` (correctly rounded). */
export function pySin(x: number): number {
  if (x === 0) return x; // keeps -0
  if (!sincos(x)) return Math.sin(x);
  return R[SIN_H]! + R[SIN_L]!;
}

/** Python's `math.atan` (correctly rounded): V8's value refined by one Newton step in double-double. */
export function pyAtan(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return Math.atan(x);
  const y = Math.atan(x);
  if (!sincos(y)) return y;
  // tan(y + d) = x  =>  d ≈ (x - tan y) · cos² y = x·cos² y - sin y · cos y.
  const s1 = R[SIN_H]!;
  const s2 = R[SIN_L]!;
  const c1 = R[COS_H]!;
  const c2 = R[COS_L]!;
  ddMul(c1, c2, c1, c2);
  ddMul(R[RH]!, R[RL]!, x, 0);
  const ah = R[RH]!;
  const al = R[RL]!;
  ddMul(s1, s2, c1, c2);
  ddAdd(ah, al, -R[RH]!, -R[RL]!);
  // y + d, rounded once.
  ddAdd(y, 0, R[RH]!, R[RL]!);
  return R[RH]! + R[RL]!;
}

/** Python's `math.radians`: `x * (π / 180)`, in that order. */
export function pyRadians(degrees: number): number {
  return degrees * (Math.PI / 180);
}
