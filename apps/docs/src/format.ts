// Number formats shared by the live pages.

/** Billions with three decimals, as the paper's GMACs: `4089184256` → `4.089`. */
export const giga = (value: number): string => (value / 1e9).toFixed(3);

/** Millions with two decimals: `25557032` → `25.56`. */
export const mega = (value: number): string => (value / 1e6).toFixed(2);

/** Bytes in MiB. */
export const mebibytes = (bytes: number, digits = 1): string => (bytes / 2 ** 20).toFixed(digits);

/** A ratio as a percentage with one decimal. */
export const percent = (ratio: number): string => `${(ratio * 100).toFixed(1)}%`;

/** Milliseconds, with more decimals for short times. */
export const milliseconds = (ms: number): string =>
  ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
