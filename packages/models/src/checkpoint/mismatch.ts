import { CheckpointError, type OctconvErrorOptions } from '@octconv/core';
import { OCT_RESNET_DEPTHS } from '../networks/oct-resnet';

/**
 * A bounded summary of why a checkpoint does not fit a module, with guesses at the cause:
 * another α, number of classes, depth, a key prefix, or another naming scheme (d-li14's).
 *
 * @internal
 */

/** Problems quoted in full in the message; the error's `problems` keeps them all. */
export const SHOWN_PROBLEMS = 10;
const MAX_PROBLEM_LENGTH = 240;

/** A module's or a checkpoint's keys with shapes (in the same layout). */
export type ShapeMap = ReadonlyMap<string, readonly number[]>;

/**
 * One reason a state dict does not fit a module, as data:
 *
 * - `'missing'`: the module's `key` is not in the file (`expected`: the module's shape);
 * - `'unexpected'`: the file's `key` is not in the module (`got`: the file's shape);
 * - `'shape'`: both have `key`, with shapes `expected` (module) and `got` (file);
 * - `'dtype'`: a float tensor where the module keeps an integer one or the reverse, or a dtype
 *   the module cannot hold (`expected`, `got`: the dtypes);
 * - `'value'`: a value the module cannot keep (a count outside int32);
 * - `'rename'`: two keys of the file renamed to the same name by `options.rename`;
 * - `'other'`: anything else (`key` may be null).
 *
 * `message` is the sentence the error's message and `problems` carry. Shapes are PyTorch's
 * (OIHW convolution filters, `[out, in]` linear weights) for `.pth` and safetensors files.
 */
export interface StateDictProblem {
  kind: 'missing' | 'unexpected' | 'shape' | 'dtype' | 'value' | 'rename' | 'other';
  key: string | null;
  expected?: readonly number[] | string;
  got?: readonly number[] | string;
  message: string;
}

/**
 * A state dict that does not fit the module: `CheckpointError` (same code, `problems` as text)
 * with every problem as data in `mismatches` and the missing/unexpected pairs that look like
 * renames (same shape, similar name) in `renames`.
 */
export class StateDictMismatchError extends CheckpointError {
  /** Every problem, structured, in the order of `problems`. */
  readonly mismatches: readonly StateDictProblem[];
  /** Missing module keys paired with the file keys that look like their renames. */
  readonly renames: readonly { from: string; to: string; shape: readonly number[] }[];

  constructor(
    options: OctconvErrorOptions & {
      mismatches: readonly StateDictProblem[];
      renames: readonly { from: string; to: string; shape: readonly number[] }[];
    },
  ) {
    super({ ...options, problems: options.mismatches.map((problem) => problem.message) });
    this.name = 'StateDictMismatchError';
    this.mismatches = options.mismatches;
    this.renames = options.renames;
  }
}

/** A problem given as text only (from a reader), as data. */
export function otherProblem(message: string, key: string | null = null): StateDictProblem {
  return { kind: 'other', key, message };
}

function segments(key: string): string[] {
  return key.split('.');
}

/** How alike two names are: shared segments, then the closer position in their lists. */
function similarity(a: string[], b: string[]): number {
  let shared = 0;
  const pool = [...b];
  for (const part of a) {
    const at = pool.indexOf(part);
    if (at >= 0) {
      shared += 1;
      pool.splice(at, 1);
    }
  }
  // Leading segments in place count twice (layer1.0.conv1… against layer1.0.conv1…).
  return shared + commonPrefix(a, b);
}

/**
 * Pairs of a missing module key and an unexpected file key with the same shape and the same
 * last segment (`weight`, `running_mean`, …), most alike first, each key in one pair at most:
 * what a renamed module (a fork that calls `conv_h2h` `h2h`) leaves. In the module's order.
 */
export function likelyRenames(
  expected: ShapeMap,
  incoming: ShapeMap,
): { from: string; to: string; shape: readonly number[] }[] {
  const missing = [...expected.keys()].filter((key) => !incoming.has(key));
  const unexpected = [...incoming.keys()].filter((key) => !expected.has(key));
  if (missing.length === 0 || unexpected.length === 0) return [];
  const groups = new Map<string, { key: string; index: number; parts: string[] }[]>();
  unexpected.forEach((key, index) => {
    const parts = segments(key);
    const group = `${incoming.get(key)!.join('x')}|${parts[parts.length - 1]}`;
    const list = groups.get(group) ?? [];
    list.push({ key, index, parts });
    groups.set(group, list);
  });
  const candidates: { from: string; to: string; score: number; distance: number }[] = [];
  missing.forEach((key, index) => {
    const parts = segments(key);
    const group = groups.get(`${expected.get(key)!.join('x')}|${parts[parts.length - 1]}`);
    if (!group) return;
    for (const other of group) {
      // A rename changes one run of at most two segments in place and keeps the rest.
      const prefix = commonPrefix(parts, other.parts);
      const suffix = commonSuffix(parts.slice(prefix), other.parts.slice(prefix));
      if (
        prefix + suffix < 2 ||
        parts.length - prefix - suffix > 2 ||
        other.parts.length - prefix - suffix > 2
      )
        continue;
      candidates.push({
        from: other.key,
        to: key,
        score: similarity(parts, other.parts),
        // Relative position in the two lists: the n-th renamed key pairs with the n-th.
        distance: Math.abs(index / missing.length - other.index / unexpected.length),
      });
    }
  });
  candidates.sort((a, b) => b.score - a.score || a.distance - b.distance);
  const usedFrom = new Set<string>();
  const usedTo = new Set<string>();
  const pairs = new Map<string, { from: string; to: string; shape: readonly number[] }>();
  for (const candidate of candidates) {
    if (usedFrom.has(candidate.from) || usedTo.has(candidate.to)) continue;
    usedFrom.add(candidate.from);
    usedTo.add(candidate.to);
    pairs.set(candidate.to, {
      from: candidate.from,
      to: candidate.to,
      shape: expected.get(candidate.to)!,
    });
  }
  const result = missing.filter((key) => pairs.has(key)).map((key) => pairs.get(key)!);
  // Scalars (num_batches_tracked) are weak evidence: only beside a pair of real tensors.
  return result.some((pair) => pair.shape.length > 0) ? result : [];
}

function commonSuffix(a: string[], b: string[]): number {
  let suffix = 0;
  while (
    suffix < a.length &&
    suffix < b.length &&
    a[a.length - 1 - suffix] === b[b.length - 1 - suffix]
  )
    suffix += 1;
  return suffix;
}

function commonPrefix(a: string[], b: string[]): number {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix += 1;
  return prefix;
}

/**
 * A `rename` that the pairs suggest, when one substitution of a name segment explains them all
 * (`'.conv_h2h.'` → `'.hh.'` for every pair is one `key.replace`), else null.
 */
export function suggestedRename(
  pairs: readonly { from: string; to: string }[],
): { from: string; to: string }[] | null {
  const substitutions = new Map<string, { from: string; to: string }>();
  for (const pair of pairs) {
    const a = segments(pair.from);
    const b = segments(pair.to);
    let start = 0;
    while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
    let endA = a.length;
    let endB = b.length;
    while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
      endA -= 1;
      endB -= 1;
    }
    const differs = a.slice(start, endA).join('.');
    const becomes = b.slice(start, endB).join('.');
    if (differs === '') return null;
    // With the dots around the changed segments, so that the replacement hits whole segments.
    const before = start > 0 ? '.' : '';
    const from = `${before}${differs}.`;
    const to = becomes === '' ? before : `${before}${becomes}.`;
    substitutions.set(`${from}→${to}`, { from, to });
    if (substitutions.size > 4) return null;
  }
  return substitutions.size > 0 ? [...substitutions.values()] : null;
}

function shorten(text: string): string {
  return text.length > MAX_PROBLEM_LENGTH ? `${text.slice(0, MAX_PROBLEM_LENGTH - 1)}…` : text;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((size, i) => size === b[i]);
}

function blocksPerStage(keys: Iterable<string>): number[] | null {
  const counts = [0, 0, 0, 0];
  let any = false;
  for (const key of keys) {
    const match = /^layer([1-4])\.(\d+)\./.exec(key);
    if (!match) continue;
    any = true;
    const stage = Number(match[1]) - 1;
    counts[stage] = Math.max(counts[stage]!, Number(match[2]) + 1);
  }
  return any ? counts : null;
}

function depthOf(counts: number[]): number | null {
  for (const [depth, blocks] of Object.entries(OCT_RESNET_DEPTHS)) {
    if (blocks.every((n, i) => n === counts[i])) return Number(depth);
  }
  return null;
}

const D_LI14_KEY = /\.conv_[hl]2[hl]\.weight$|\.conv\d\.bn_[hl]\.running_mean$/;
const OUR_OCT_KEY = /\.(hh|hl|lh|ll)\.weight$/;

/** α of the first layer of `shapes` that has both an H→H and an H→L (or L→L) path. */
function alphaEvidence(shapes: ShapeMap): { layer: string; alpha: number } | null {
  for (const [key, shape] of shapes) {
    const ours = /^(.*)\.hh\.weight$/.exec(key);
    const theirs = /^(.*)\.conv_h2h\.weight$/.exec(key);
    const layer = ours?.[1] ?? theirs?.[1];
    if (layer === undefined) continue;
    const low = ours
      ? (shapes.get(`${layer}.hl.weight`) ?? shapes.get(`${layer}.ll.weight`))
      : (shapes.get(`${layer}.conv_h2l.weight`) ?? shapes.get(`${layer}.conv_l2l.weight`));
    if (!low) continue;
    // Torch layout: [out, in, kh, kw] in both naming schemes.
    const high = shape[0]!;
    const lowOut = low[0]!;
    if (high + lowOut === 0) continue;
    return { layer, alpha: lowOut / (high + lowOut) };
  }
  return null;
}

function hasLowBand(keys: Iterable<string>): boolean {
  for (const key of keys) {
    if (/\.(hl|lh|ll)\.weight$|\.conv_(h2l|l2h|l2l)\.weight$|\.bn_l\./.test(key)) return true;
  }
  return false;
}

function sample(keys: string[], count = 3): string {
  return keys
    .slice(0, count)
    .map((k) => JSON.stringify(k.length > 80 ? `${k.slice(0, 79)}…` : k))
    .join(', ');
}

/**
 * Guesses at why `incoming` does not fit `expected` (both in PyTorch's layout), as sentences.
 * `module` supplies what the module was built with (depth, α, numClasses) where it has them.
 */
export function guessMismatch(
  module: {
    moduleName: string;
    depth?: unknown;
    alpha?: unknown;
    numClasses?: unknown;
    variant?: unknown;
  },
  expected: ShapeMap,
  incoming: ShapeMap,
): string[] {
  const guesses: string[] = [];
  const ours = [...expected.keys()];
  const theirs = [...incoming.keys()];
  // As in the message: present with the module's shape.
  const matched = ours.filter((k) => {
    const other = incoming.get(k);
    return other !== undefined && sameShape(other, expected.get(k)!);
  }).length;

  // A prefix on every key (other than the `module.` that is stripped automatically), or missing.
  const firstSegments = new Set(theirs.map((k) => k.split('.')[0]));
  if (firstSegments.size === 1 && theirs.length > 0) {
    const prefix = `${[...firstSegments][0]}.`;
    const stripped = theirs.filter((k) => expected.has(k.slice(prefix.length))).length;
    if (stripped > matched && stripped >= ours.length / 2) {
      guesses.push(
        `every key of the checkpoint starts with ${JSON.stringify(prefix)} (a wrapper module); without it ${stripped} of ${ours.length} keys match: rename the keys in Python, or save the wrapped model's state dict`,
      );
    }
  }
  const withModule = theirs.filter((k) => k.startsWith('module.'));
  if (withModule.length > 0 && withModule.length < theirs.length) {
    guesses.push(
      `${withModule.length} of ${theirs.length} keys start with "module." (DataParallel) and the others do not; only a prefix on every key is removed`,
    );
  }

  // d-li14/octconv.pytorch's names against ours.
  const dli14In = theirs.some((k) => D_LI14_KEY.test(k));
  const dli14Module = ours.some((k) => D_LI14_KEY.test(k));
  const counts = blocksPerStage(theirs);
  const depth = counts ? depthOf(counts) : null;
  if (dli14In && !dli14Module) {
    guesses.push(
      `these are d-li14/octconv.pytorch's names (${sample(
        theirs.filter((k) => D_LI14_KEY.test(k)),
        1,
      )}): load the file into octResNet({ depth: ${depth ?? '…'}, alpha: ${dLi14Alpha(incoming) ?? 0.5}, variant: 'd-li14' })`,
    );
  } else if (dli14Module && !dli14In && theirs.some((k) => OUR_OCT_KEY.test(k))) {
    guesses.push(
      counts
        ? "the checkpoint has this package's own Oct-ResNet names (…hh.weight); load it into octResNet without variant: 'd-li14'"
        : `the checkpoint has this package's OctConv names (…hh.weight) but no Oct-ResNet stages (layer1.0.…): it is another network's (its keys begin ${sample(theirs)})${looksLikeMiniOctNet(theirs) ? ': a MiniOctNet (stem.0, b1, b2, fc); load it into new MiniOctNet()' : ''}`,
    );
  }

  // Depth of a ResNet.
  const moduleCounts = blocksPerStage(ours);
  if (counts && moduleCounts && counts.some((n, i) => n !== moduleCounts[i])) {
    const moduleDepth = depthOf(moduleCounts);
    guesses.push(
      `the checkpoint has [${counts.join(', ')}] blocks per stage${depth ? ` (depth ${depth})` : ''}, the module [${moduleCounts.join(', ')}]${moduleDepth ? ` (depth ${moduleDepth})` : ''}${depth ? `: create the module with depth: ${depth}` : ''}`,
    );
  }

  // Number of classes and image channels.
  for (const key of ['fc.weight', 'linear.weight', 'classifier.weight']) {
    const a = incoming.get(key);
    const b = expected.get(key);
    if (a && b && a.length === 2 && b.length === 2 && a[0] !== b[0]) {
      guesses.push(
        `the checkpoint classifies ${a[0]} classes (${key} is [${a.join(', ')}]), the module ${b[0]}: create it with numClasses: ${a[0]}`,
      );
    }
  }
  for (const key of ['conv1.weight', 'stem.0.weight']) {
    const a = incoming.get(key);
    const b = expected.get(key);
    if (a && b && a.length === 4 && b.length === 4 && a[1] !== b[1]) {
      guesses.push(
        `the checkpoint's first convolution takes ${a[1]} image channels, the module's ${b[1]}: create it with inChannels: ${a[1]}`,
      );
    }
  }

  // α. Under d-li14's names the split is int(α·C): its α is the file's d-li14 α.
  const theirAlpha = alphaEvidence(incoming);
  const ourAlpha = alphaEvidence(expected);
  const fileDLi14Alpha = dli14In ? dLi14Alpha(incoming) : null;
  if (dli14In && dli14Module && fileDLi14Alpha !== null) {
    if (typeof module.alpha === 'number' && Math.abs(fileDLi14Alpha - module.alpha) > 1e-9) {
      guesses.push(
        `the checkpoint was saved with α = ${fileDLi14Alpha} (${theirAlpha?.layer ?? 'its first OctConv'} splits its channels as int(α · C) does), the module has alpha: ${module.alpha}: create it with alpha: ${fileDLi14Alpha}, variant: 'd-li14'`,
      );
    }
  } else if (dli14In && !dli14Module) {
    // Said above: the d-li14 variant, with the file's α.
  } else if (theirAlpha && ourAlpha && Math.abs(theirAlpha.alpha - ourAlpha.alpha) > 1e-6) {
    guesses.push(
      `the checkpoint was saved with α ≈ ${round(theirAlpha.alpha)} (${theirAlpha.layer}: ${round(theirAlpha.alpha * 100)} % of the output channels in the low band), the module has α ≈ ${round(ourAlpha.alpha)}${typeof module.alpha === 'number' ? ` (alpha: ${module.alpha})` : ''}: create it with alpha: ${round(theirAlpha.alpha)}`,
    );
  } else if (hasLowBand(ours) && !hasLowBand(theirs) && matched < ours.length) {
    guesses.push(
      'the checkpoint has no low-band weights: it was saved with α = 0 (a plain network); create the module with alpha: 0',
    );
  } else if (!hasLowBand(ours) && hasLowBand(theirs)) {
    guesses.push(
      'the checkpoint has low-band weights and the module none: it was saved with α > 0; create the module with the same alpha',
    );
  }

  if (matched <= ours.length / 10 && guesses.length === 0) {
    guesses.push(
      `${matched === 0 ? 'no key' : `only ${matched} of ${ours.length} keys`} of the ${module.moduleName} ${matched <= 1 ? 'is' : 'are'} in the checkpoint: it is another architecture's (its keys begin ${sample(theirs)}; the module's ${sample(ours)})${looksLikeMiniOctNet(theirs) && module.moduleName !== 'MiniOctNet' ? ': a MiniOctNet (stem.0, b1, b2, fc); load it into new MiniOctNet()' : ''}`,
    );
  }
  return guesses;
}

/**
 * The α of a file under d-li14's names: the simplest α whose `int(α · C)` split gives the low
 * channels of the first stage's 3×3 (`layer1.0.conv2`, α → α), checked against every layer that
 * has both bands, or null.
 */
function dLi14Alpha(incoming: ShapeMap): number | null {
  const layers: { high: number; low: number }[] = [];
  for (const [key, shape] of incoming) {
    // d-li14's conv_h2h, or a fork's h2h.
    const match = /^(.*)\.((?:conv_)?)h2h\.weight$/.exec(key);
    if (!match) continue;
    const path = `${match[1]}.${match[2]}`;
    const low = incoming.get(`${path}h2l.weight`) ?? incoming.get(`${path}l2l.weight`);
    if (low) layers.push({ high: shape[0]!, low: low[0]! });
  }
  if (layers.length === 0) return null;
  // Candidates: k / 2^n (the αs a fork writes: 0.25, 0.125, 0.375, …), then the raw fraction.
  const first = layers[0]!;
  const total = first.high + first.low;
  const fits = (alpha: number) =>
    layers.every(({ high, low }) => Math.trunc(alpha * (high + low)) === low);
  for (let denominator = 2; denominator <= 1024; denominator *= 2) {
    for (let numerator = 1; numerator < denominator; numerator++) {
      const alpha = numerator / denominator;
      if (fits(alpha)) return alpha;
    }
  }
  for (let step = 1; step <= 100; step++) {
    const alpha = step / 100;
    if (fits(alpha)) return alpha;
  }
  const raw = first.low / total;
  return fits(raw) ? round(raw) : null;
}

function looksLikeMiniOctNet(keys: readonly string[]): boolean {
  return (
    keys.some((k) => k.startsWith('stem.0.')) &&
    keys.some((k) => k.startsWith('b1.')) &&
    keys.some((k) => k.startsWith('b2.'))
  );
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/**
 * The message of a mismatch: counts, the first {@link SHOWN_PROBLEMS} problems (each cut to a
 * readable length), and the guesses.
 */
export function mismatchMessage(
  moduleName: string,
  expected: ShapeMap,
  incoming: ShapeMap,
  problems: readonly string[],
  guesses: readonly string[],
  renames: readonly { from: string; to: string; shape: readonly number[] }[] = [],
): string {
  let matched = 0;
  for (const [key, shape] of expected) {
    const other = incoming.get(key);
    if (other && sameShape(shape, other)) matched += 1;
  }
  const shown = problems.slice(0, SHOWN_PROBLEMS).map(shorten);
  const side = (keys: ShapeMap) =>
    [...keys]
      .slice(0, 3)
      .map(
        ([key, shape]) =>
          `${JSON.stringify(key.length > 80 ? `${key.slice(0, 79)}…` : key)} [${shape.join(', ')}]`,
      )
      .join(', ') + (keys.size > 3 ? ', …' : '');
  const sides = `the module expects ${expected.size} key${expected.size === 1 ? '' : 's'} (${side(expected)}), the file has ${incoming.size} (${side(incoming)})`;
  let renamed = '';
  if (renames.length > 0) {
    const listed = renames
      .slice(0, 3)
      .map((pair) => `${JSON.stringify(pair.from)} → ${JSON.stringify(pair.to)}`)
      .join(', ');
    const substitution = suggestedRename(renames);
    const hint = substitution
      ? `; options.rename: (key) => key${substitution.map((s) => `.replace(${JSON.stringify(s.from)}, ${JSON.stringify(s.to)})`).join('')} maps them`
      : "; options.rename maps the file's names to the module's";
    renamed = `. ${renames.length} key${renames.length === 1 ? '' : 's'} look${renames.length === 1 ? 's' : ''} renamed (same shape, similar name; file → module): ${listed}${renames.length > 3 ? ', …' : ''}${hint}`;
  }
  const head = `the checkpoint does not fit ${moduleName}: matched ${matched} of ${expected.size} keys; ${problems.length} problem${problems.length === 1 ? '' : 's'}${problems.length > SHOWN_PROBLEMS ? `, the first ${SHOWN_PROBLEMS}` : ''}: ${shown.join('; ')}${renamed}. Both sides: ${sides}`;
  const guess = guesses.length > 0 ? `. Likely cause: ${guesses.join('; ')}` : '';
  return `${head}${guess}`;
}
