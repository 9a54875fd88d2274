import {
  type BandShapes,
  channelsFirstHint,
  checkOctaveTensor,
  InvalidArgumentError,
  type LayerDescription,
  type ModelDescription,
  type OctaveTensor,
  OctconvError,
  ShapeMismatchError,
} from '@octconv/core';
import type * as tf from '@tensorflow/tfjs-core';

/** Input size for {@link Module.describe}: the full-resolution height and width. */
export interface InputSize {
  /** Default 1. */
  batch?: number;
  height: number;
  width: number;
}

/** What a shape trace checks, in whose name it throws, and where it collects layers. */
export interface TraceContext {
  functionName: string;
  training: boolean;
  layers: LayerDescription[];
}

/**
 * Base of every module: owns `tf.Variable` parameters and buffers under PyTorch's dotted names,
 * has a train/eval mode, disposes its variables, and describes its layers without tfjs.
 *
 * `apply` validates the whole input against the module's layers (channels, sizes, and batch
 * statistics that need more than one value) before it creates a tensor or touches a running
 * statistic, so a rejected call leaves the module unchanged.
 *
 * Your own module subclasses it as a PyTorch module subclasses `nn.Module`: register submodules,
 * parameters and buffers in the constructor ({@link registerModule}, {@link registerParameter},
 * {@link registerBuffer}) under the names the PyTorch module gives them, and implement `apply`
 * (the forward), `inputShapes` and `trace` (the shapes, for `describe` and validation).
 * `namedParameters`, `train`/`eval`, `trainStep`/`fit`, `saveModule`/`loadModule` (with the
 * module passed in) and `loadTorchCheckpoint` then work on it:
 *
 * ```ts
 * class TinyNet extends Module<tf.Tensor4D, tf.Tensor2D> {
 *   readonly moduleName = 'TinyNet';
 *   readonly conv = this.registerModule('conv', new Conv2d({ inChannels: 3, outChannels: 8, kernelSize: 3, padding: 1 }));
 *   readonly fc = this.registerModule('fc', new Linear({ inFeatures: 8, outFeatures: 10 }));
 *   apply(x: tf.Tensor4D): tf.Tensor2D {
 *     return tf.tidy(() => this.fc.apply(tf.mean(tf.relu(this.conv.apply(x)), [1, 2]) as tf.Tensor2D));
 *   }
 *   protected inputShapes(batch: number, height: number, width: number): BandShapes {
 *     return { high: [batch, height, width, 3], low: null };
 *   }
 *   trace(input: BandShapes, name: string, context: TraceContext): BandShapes {
 *     const [batch, , , channels] = this.conv.trace(input, joinName(name, 'conv'), context).high!;
 *     return this.fc.trace({ high: [batch!, channels!], low: null }, joinName(name, 'fc'), context);
 *   }
 * }
 * ```
 */
export abstract class Module<Input = unknown, Output = unknown> {
  private trainingMode = true;
  private isDisposed = false;
  private readonly ownParameters = new Map<string, tf.Variable>();
  private readonly ownBuffers = new Map<string, tf.Variable>();
  private readonly children = new Map<string, Module>();

  /** The class name used in messages and descriptions (survives minification). */
  abstract readonly moduleName: string;

  /** Runs the module. Returns new tensors; the caller disposes them. */
  abstract apply(input: Input): Output;

  /** The module's input shapes for an input size (channels are the module's). */
  protected abstract inputShapes(batch: number, height: number, width: number): BandShapes;

  /**
   * Checks `input` against the module and appends its layers to `context.layers` under the
   * dotted `name`; returns the output shapes. Pure: no tfjs. `describe` and `apply` run it; a
   * custom module implements it by tracing its children in order.
   */
  abstract trace(input: BandShapes, name: string, context: TraceContext): BandShapes;

  /** True in training mode (the default, as PyTorch): batch norm uses and updates batch statistics. */
  get training(): boolean {
    return this.trainingMode;
  }

  /** Sets training mode on this module and every submodule. */
  train(mode = true): this {
    this.trainingMode = mode;
    for (const child of this.children.values()) child.train(mode);
    return this;
  }

  /**
   * Evaluation mode: batch norm uses its running statistics and updates nothing. Call it before
   * inference, as in PyTorch: a new module, one just loaded from a checkpoint (loading sets
   * weights, not the mode) and one after `trainStep` are all in training mode.
   */
  eval(): this {
    return this.train(false);
  }

  /** Trainable variables under their PyTorch state-dict names, in registration order. */
  namedParameters(): Map<string, tf.Variable> {
    return this.collect('parameters');
  }

  /** Non-trainable state (batch norm running statistics and `num_batches_tracked`). */
  namedBuffers(): Map<string, tf.Variable> {
    return this.collect('buffers');
  }

  /** The trainable variables, for an optimizer's `varList`. */
  parameters(): tf.Variable[] {
    return [...this.namedParameters().values()];
  }

  /** Number of trainable values (PyTorch's `sum(p.numel() for p in m.parameters())`). */
  parameterCount(): number {
    let total = 0;
    for (const variable of this.namedParameters().values()) total += variable.size;
    return total;
  }

  /** Whether {@link dispose} has been called. */
  get disposed(): boolean {
    return this.isDisposed;
  }

  /** Disposes every variable of the module and its submodules. Idempotent. */
  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    for (const variable of this.ownParameters.values()) variable.dispose();
    for (const variable of this.ownBuffers.values()) variable.dispose();
    for (const child of this.children.values()) child.dispose();
  }

  /**
   * Every layer with its shapes per band for an input of the given size, as plain data for
   * `@octconv/analysis`. Throws the same typed errors `apply` would for that size.
   */
  describe(input: InputSize): ModelDescription {
    const functionName = `${this.moduleName}.describe`;
    const { batch = 1, height, width } = input ?? ({} as InputSize);
    for (const [argument, value] of [
      ['batch', batch],
      ['height', height],
      ['width', width],
    ] as const) {
      if (!(Number.isInteger(value) && (value as number) >= 1)) {
        throw new InvalidArgumentError({
          functionName,
          argument: `input.${argument}`,
          value,
          message: `input.${argument} must be an integer ≥ 1, got ${String(value)}`,
        });
      }
    }
    const shapes = this.inputShapes(batch, height, width);
    const context: TraceContext = { functionName, training: false, layers: [] };
    const output = this.traceChecked(shapes, context);
    return { module: this.moduleName, input: shapes, output, layers: context.layers };
  }

  /** @internal Validates an `apply` input (and liveness) before any tensor work. */
  protected checkApply(input: BandShapes): BandShapes {
    const functionName = `${this.moduleName}.apply`;
    if (this.isDisposed) {
      throw new InvalidArgumentError({
        functionName,
        argument: 'this',
        value: this.moduleName,
        message: 'the module has been disposed',
      });
    }
    return this.traceChecked(input, { functionName, training: this.trainingMode, layers: [] });
  }

  /**
   * @internal The output shapes `apply` would give for `input`, validated as `apply` validates
   * (in `training` mode, by default this module's current one), in the name of `functionName`.
   */
  traceApply(
    functionName: string,
    input: BandShapes,
    training: boolean = this.trainingMode,
  ): BandShapes {
    return this.traceChecked(input, { functionName, training, layers: [] });
  }

  /** @internal {@link checkApply} for an octave input, after checking its tensors. */
  protected checkOctaveApply(x: OctaveTensor): BandShapes {
    checkOctaveTensor(`${this.moduleName}.apply`, 'x', x);
    return this.checkApply({ high: x.high?.shape ?? null, low: x.low?.shape ?? null });
  }

  private traceChecked(input: BandShapes, context: TraceContext): BandShapes {
    try {
      return this.trace(input, '', context);
    } catch (error) {
      // Shape arithmetic of @octconv/core names its own function; the user called ours.
      if (OctconvError.isInstance(error) && error.functionName !== context.functionName) {
        const message = error.message.slice(error.functionName.length + 2);
        if (InvalidArgumentError.isInstance(error)) {
          throw new InvalidArgumentError({
            functionName: context.functionName,
            argument: error.argument,
            value: error.value,
            message,
            cause: error,
          });
        }
        throw new ShapeMismatchError({ functionName: context.functionName, message, cause: error });
      }
      throw error;
    }
  }

  /**
   * Registers a trainable variable of this module under `name`, as PyTorch's
   * `register_parameter` (or assigning an `nn.Parameter`): it appears in
   * {@link namedParameters}, {@link parameters}, the state dict (`name` as written, prefixed by
   * the owners' names) and every save and load, and {@link dispose} disposes it. Register in the
   * order the PyTorch module creates its parameters: that is the state dict's order.
   *
   * @param name The state-dict name, e.g. `'weight'`; unique among this module's parameters,
   *   buffers and children.
   * @param variable A float32 `tf.Variable` (`tf.variable(values, true)`), owned by the module
   *   from now on.
   * @returns `variable`, for `this.weight = this.registerParameter('weight', …)`.
   * @throws InvalidArgumentError for an empty or taken name, or a value that is not a variable.
   */
  protected registerParameter(name: string, variable: tf.Variable): tf.Variable {
    this.checkRegistration('registerParameter', name, variable, 'variable');
    this.ownParameters.set(name, variable);
    return variable;
  }

  /**
   * Registers non-trainable state under `name`, as PyTorch's `register_buffer` (batch norm's
   * running statistics): it is saved and loaded with the parameters but never handed to an
   * optimizer. An integer count (`num_batches_tracked`) is an int32 variable here and an int64
   * tensor in a PyTorch file.
   *
   * @returns `variable`.
   * @throws InvalidArgumentError for an empty or taken name, or a value that is not a variable.
   */
  protected registerBuffer(name: string, variable: tf.Variable): tf.Variable {
    this.checkRegistration('registerBuffer', name, variable, 'variable');
    this.ownBuffers.set(name, variable);
    return variable;
  }

  /**
   * Registers a submodule under `name`, as assigning an `nn.Module` attribute in PyTorch
   * (`self.conv1 = nn.Conv2d(…)`): its parameters and buffers appear under `name.…`, `train`,
   * `eval` and `dispose` reach it. A dotted name stands for a container PyTorch would have:
   * `'features.0'` and `'features.1'` give the names of an `nn.Sequential` called `features`.
   *
   * @returns `module`, for `this.conv1 = this.registerModule('conv1', new Conv2d(…))`.
   * @throws InvalidArgumentError for an empty or taken name, or a value that is not a module.
   */
  protected registerModule<M extends Module>(name: string, module: M): M {
    this.checkRegistration('registerModule', name, module, 'module');
    this.children.set(name, module);
    return module;
  }

  private checkRegistration(
    method: string,
    name: unknown,
    value: unknown,
    kind: 'variable' | 'module',
  ): void {
    const functionName = `${this.moduleName ?? 'Module'}.${method}`;
    if (typeof name !== 'string' || name === '' || name.startsWith('.') || name.endsWith('.')) {
      throw new InvalidArgumentError({
        functionName,
        argument: 'name',
        value: name,
        message: `name must be a non-empty string such as 'weight' or 'conv1', got ${JSON.stringify(name) ?? String(name)}`,
      });
    }
    if (this.ownParameters.has(name) || this.ownBuffers.has(name) || this.children.has(name)) {
      throw new InvalidArgumentError({
        functionName,
        argument: 'name',
        value: name,
        message: `${JSON.stringify(name)} is already registered on this ${this.moduleName ?? 'module'}; every parameter, buffer and submodule needs its own name`,
      });
    }
    const valid =
      kind === 'module'
        ? value instanceof Module
        : value !== null &&
          typeof value === 'object' &&
          typeof (value as { assign?: unknown }).assign === 'function' &&
          Array.isArray((value as { shape?: unknown }).shape);
    if (!valid) {
      throw new InvalidArgumentError({
        functionName,
        argument: kind,
        value,
        message:
          kind === 'module'
            ? `expected an @octconv/models Module (a layer, a block or your own subclass), got ${String(value)}`
            : `expected a tf.Variable (tf.variable(tensor, ${method === 'registerParameter' ? 'true' : 'false'})), got ${String(value)}`,
      });
    }
  }

  /** The direct submodules under their registered names, in registration order. */
  namedChildren(): Map<string, Module> {
    return new Map(this.children);
  }

  /** This module (as `''`) and every submodule under its dotted name, parents before children. */
  namedModules(): Map<string, Module> {
    const result = new Map<string, Module>([['', this]]);
    for (const [childName, child] of this.children) {
      for (const [name, module] of child.namedModules()) {
        result.set(name === '' ? childName : `${childName}.${name}`, module);
      }
    }
    return result;
  }

  /**
   * Parameters and buffers under their state-dict names in PyTorch's `state_dict()` order: each
   * module's own parameters, then its own buffers, then its submodules, depth first.
   */
  namedState(): Array<{ name: string; variable: tf.Variable; kind: 'parameter' | 'buffer' }> {
    const result: Array<{ name: string; variable: tf.Variable; kind: 'parameter' | 'buffer' }> = [];
    for (const [name, variable] of this.ownParameters)
      result.push({ name, variable, kind: 'parameter' });
    for (const [name, variable] of this.ownBuffers) result.push({ name, variable, kind: 'buffer' });
    for (const [childName, child] of this.children) {
      for (const entry of child.namedState())
        result.push({ ...entry, name: `${childName}.${entry.name}` });
    }
    return result;
  }

  private collect(kind: 'parameters' | 'buffers'): Map<string, tf.Variable> {
    const result = new Map<string, tf.Variable>();
    const own = kind === 'parameters' ? this.ownParameters : this.ownBuffers;
    for (const [name, variable] of own) result.set(name, variable);
    for (const [childName, child] of this.children) {
      for (const [name, variable] of child.collect(kind))
        result.set(`${childName}.${name}`, variable);
    }
    return result;
  }
}

/**
 * The dotted name of a child in `trace`: `prefix.name`, or `name` at the root (`prefix` `''`).
 */
export function joinName(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

/** @internal Throws a ShapeMismatchError naming the layer and what it expected. */
export function shapeError(context: TraceContext, layer: string, message: string): never {
  throw new ShapeMismatchError({
    functionName: context.functionName,
    message: `${layer === '' ? '' : `${layer}: `}${message}`,
  });
}

/** @internal `[a, b, c]` for messages. */
export function formatShape(shape: readonly number[] | null): string {
  return shape === null ? 'null' : `[${shape.join(', ')}]`;
}

/**
 * @internal What a layer that takes one plain feature map of `channels` channels says of an input
 * it cannot take: plain shapes for a plain input (no talk of bands), the channels-first hint
 * for an NCHW tensor, and what to do with an octave tensor.
 */
export function featureMapMismatch(channels: number, input: BandShapes): string {
  const expected = `[batch, height, width, ${channels}]`;
  if (input.high !== null && input.low !== null)
    return `expects one feature map ${expected}, got an octave tensor (high ${formatShape(input.high)}, low ${formatShape(input.low)}): merge its bands first (octaveMerge), or use an octave layer`;
  const shape = input.high ?? input.low;
  if (shape === null) return `expects one feature map ${expected}, got none`;
  return `expects ${expected}, got ${formatShape(shape)}${channelsFirstHint(shape, channels)}`;
}
