/**
 * The preload script (sandboxed, context-isolated): exposes exactly the contract as `window.promethium`, built from
 * `apiContract`'s method names, never raw ipcRenderer. Results arrive as {ok, value|error} envelopes because Electron
 * IPC drops custom error fields; here they become PromethiumErrors again.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { IPC_CALL_CHANNEL, IPC_EVENT_CHANNEL } from './channels';
import { apiContract, isEventName, type ApiErrorShape, type EventName } from './contract';

type Outcome = { ok: true; value: unknown } | { ok: false; error: ApiErrorShape };

const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
ipcRenderer.on(IPC_EVENT_CHANNEL, (_event, name: string, payload: unknown) => {
  if (isEventName(name)) for (const listener of listeners.get(name) ?? []) listener(payload);
});

function method(name: string) {
  return async (...args: unknown[]): Promise<unknown> => {
    const outcome = (await ipcRenderer.invoke(IPC_CALL_CHANNEL, name, args)) as Outcome;
    if (outcome.ok) return outcome.value;
    // contextBridge cannot pass class instances: the renderer sees a plain Error with `code` copied onto it.
    throw Object.assign(new Error(outcome.error.message), { code: outcome.error.code, name: 'PromethiumError' });
  };
}

const api: Record<string, unknown> = {
  on(event: string, listener: (payload: unknown) => void): () => void {
    if (!isEventName(event)) throw new Error(`unknown event ${event}`);
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    set.add(listener);
    return () => set.delete(listener);
  },
};
for (const [namespace, methods] of Object.entries(apiContract)) {
  api[namespace] = Object.fromEntries(Object.keys(methods).map((name) => [name, method(`${namespace}.${name}`)]));
}

contextBridge.exposeInMainWorld('promethium', api);
