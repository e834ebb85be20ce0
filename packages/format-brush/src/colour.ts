import { createHash } from 'node:crypto';

/** An RGB colour. */
export type Rgb = readonly [number, number, number];

// The CSS names Label Studio templates use most; anything else falls back to a hash colour.
const NAMED: Record<string, Rgb> = {
  black: [0, 0, 0],
  white: [255, 255, 255],
  red: [255, 0, 0],
  green: [0, 128, 0],
  lime: [0, 255, 0],
  blue: [0, 0, 255],
  yellow: [255, 255, 0],
  cyan: [0, 255, 255],
  aqua: [0, 255, 255],
  magenta: [255, 0, 255],
  fuchsia: [255, 0, 255],
  orange: [255, 165, 0],
  purple: [128, 0, 128],
  pink: [255, 192, 203],
  brown: [165, 42, 42],
  gray: [128, 128, 128],
  grey: [128, 128, 128],
  navy: [0, 0, 128],
  teal: [0, 128, 128],
  olive: [128, 128, 0],
  maroon: [128, 0, 0],
  silver: [192, 192, 192],
  gold: [255, 215, 0],
  violet: [238, 130, 238],
  indigo: [75, 0, 130],
  coral: [255, 127, 80],
  salmon: [250, 128, 114],
  tomato: [255, 99, 71],
  orchid: [218, 112, 214],
  crimson: [220, 20, 60],
  chocolate: [210, 105, 30],
  turquoise: [64, 224, 208],
  darkgreen: [0, 100, 0],
  darkblue: [0, 0, 139],
  darkred: [139, 0, 0],
  lightblue: [173, 216, 230],
  lightgreen: [144, 238, 144],
  skyblue: [135, 206, 235],
  darkorange: [255, 140, 0],
};

/** Parses a CSS colour as Label Studio configs write it (`#f00`, `#ff0000`, `rgba(…)`, `red`); undefined if unknown. */
export function parseCssColour(text: string | undefined): Rgb | undefined {
  if (!text) return undefined;
  const t = text.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3,8})$/.exec(t)?.[1];
  if (hex) {
    if (hex.length === 3 || hex.length === 4)
      return [0, 1, 2].map((i) => parseInt(hex[i]! + hex[i]!, 16)) as unknown as Rgb;
    if (hex.length === 6 || hex.length === 8)
      return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as unknown as Rgb;
    return undefined;
  }
  const fn = /^rgba?\(\s*([\d.]+%?)\s*[, ]\s*([\d.]+%?)\s*[, ]\s*([\d.]+%?)/.exec(t);
  if (fn) {
    const channel = (v: string) =>
      Math.max(0, Math.min(255, Math.round(v.endsWith('%') ? (parseFloat(v) * 255) / 100 : parseFloat(v))));
    return [channel(fn[1]!), channel(fn[2]!), channel(fn[3]!)];
  }
  return NAMED[t];
}

/** A stable colour for a name without one (so two runs write the same bytes). */
export function hashColour(name: string): Rgb {
  const d = createHash('md5').update(name).digest();
  return [d[0]!, d[1]!, d[2]!];
}

/** `#rrggbb`. */
export function toHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}
