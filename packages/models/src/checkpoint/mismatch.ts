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
      )}): load the file into octResNet({ depth: ${depth ?? '…'}, alpha: 0.5, variant: 'd-li14' })`,
    );
  } else if (dli14Module && !dli14In && theirs.some((k) => OUR_OCT_KEY.test(k))) {
    guesses.push(
      "the checkpoint has this package's own Oct-ResNet names (…hh.weight); load it into octResNet without variant: 'd-li14'",
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

  // α.
  const theirAlpha = alphaEvidence(incoming);
  const ourAlpha = alphaEvidence(expected);
  if (theirAlpha && ourAlpha && Math.abs(theirAlpha.alpha - ourAlpha.alpha) > 1e-6) {
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
      `${matched === 0 ? 'no key' : `only ${matched} of ${ours.length} keys`} of the ${module.moduleName} ${matched <= 1 ? 'is' : 'are'} in the checkpoint: it is another architecture's (its keys begin ${sample(theirs)}; the module's ${sample(ours)})`,
    );
  }
  return guesses;
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
): string {
  let matched = 0;
  for (const [key, shape] of expected) {
    const other = incoming.get(key);
    if (other && sameShape(shape, other)) matched += 1;
  }
  const shown = problems.slice(0, SHOWN_PROBLEMS).map(shorten);
  const head = `the checkpoint does not fit ${moduleName}: matched ${matched} of ${expected.size} keys; ${problems.length} problem${problems.length === 1 ? '' : 's'}${problems.length > SHOWN_PROBLEMS ? `, the first ${SHOWN_PROBLEMS}` : ''}: ${shown.join('; ')}`;
  const guess = guesses.length > 0 ? `. Likely cause: ${guesses.join('; ')}` : '';
  return `${head}${guess}`;
}
