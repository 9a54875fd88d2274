// The page's side of the training worker (training-worker.ts): the same calls as a
// TrainingSession, answered by one in the worker. Disposing ends the worker, and everything the
// network held with it.
import type { BackendFacts, BackendName } from './backend';
import type { Example, TrainingSettings } from './training';

type Method = 'start' | 'step' | 'accuracy' | 'examples' | 'checkpoint';

export interface TrainingCall {
  id: number;
  method: Method;
  args: unknown[];
}

export type TrainingReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; message: string };

/** A TrainingSession that lives in a worker. */
export class RemoteTrainingSession {
  readonly settings: TrainingSettings;
  steps = 0;
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve(v: unknown): void; reject(e: Error): void }
  >();
  private next = 0;
  private closed = false;

  private constructor(settings: TrainingSettings) {
    this.settings = settings;
    this.worker = new Worker(new URL('./training-worker.ts', import.meta.url), {
      type: 'module',
      name: 'octconv-training',
    });
    this.worker.onmessage = (event: MessageEvent<TrainingReply>) => {
      const reply = event.data;
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.ok) waiting?.resolve(reply.value);
      else waiting?.reject(new Error(reply.message));
    };
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.fail(new Error(`the training worker failed: ${event.message || 'unknown error'}`));
    };
  }

  /**
   * Starts `backend` and a session with `settings` in a new worker. Resolves with the backend's
   * facts, and the session when the backend is available (null otherwise; the worker is gone).
   */
  static async start(
    backend: BackendName,
    settings: TrainingSettings,
  ): Promise<{ facts: BackendFacts; session: RemoteTrainingSession | null }> {
    const session = new RemoteTrainingSession(settings);
    try {
      const facts = (await session.call('start', backend, settings)) as BackendFacts;
      if (facts.available) return { facts, session };
      session.dispose();
      return { facts, session: null };
    } catch (error) {
      session.dispose();
      throw error;
    }
  }

  private call(method: Method, ...args: unknown[]): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the training session was disposed'));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, method, args } satisfies TrainingCall);
    });
  }

  private fail(error: Error): void {
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  /** One Adam step; resolves with its loss. */
  async step(): Promise<number> {
    const loss = (await this.call('step')) as number;
    this.steps += 1;
    return loss;
  }

  accuracy(): Promise<number> {
    return this.call('accuracy') as Promise<number>;
  }

  examples(count: number): Promise<Example[]> {
    return this.call('examples', count) as Promise<Example[]>;
  }

  checkpoint(): Promise<Uint8Array> {
    return this.call('checkpoint') as Promise<Uint8Array>;
  }

  /** Ends the worker; pending calls reject. Idempotent. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.worker.terminate();
    this.fail(new Error('the training session was disposed'));
  }
}
