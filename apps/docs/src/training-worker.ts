// The training demo's network, off the page's main thread: each Adam step, accuracy pass and
// checkpoint runs here (tfjs's wasm and WebGPU backends both work in workers), so the page keeps
// painting its curves and answering its controls while the network learns.
import { activate, type BackendName } from './backend';
import { TrainingSession, type TrainingSettings } from './training';
import type { TrainingCall, TrainingReply } from './training-client';

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<TrainingCall>) => void) | null;
  postMessage(message: TrainingReply, transfer?: Transferable[]): void;
};

let session: TrainingSession | null = null;

function current(): TrainingSession {
  if (!session) throw new Error('the training session has not started');
  return session;
}

async function answer(call: TrainingCall): Promise<unknown> {
  switch (call.method) {
    case 'start': {
      const [backend, settings] = call.args as [BackendName, TrainingSettings];
      const facts = await activate(backend);
      if (facts.available) session = new TrainingSession(settings);
      return facts;
    }
    case 'step':
      return current().step();
    case 'accuracy':
      return current().accuracy();
    case 'examples':
      return current().examples(call.args[0] as number);
    case 'checkpoint':
      return current().checkpoint();
  }
}

// One call at a time, in order: tfjs's state (the backend, the optimizer) is not re-entrant.
let queue = Promise.resolve();
scope.onmessage = (event) => {
  const call = event.data;
  queue = queue.then(async () => {
    try {
      scope.postMessage({ id: call.id, ok: true, value: await answer(call) });
    } catch (caught) {
      scope.postMessage({
        id: call.id,
        ok: false,
        message: (caught as Error)?.message ?? String(caught),
      });
    }
  });
};
