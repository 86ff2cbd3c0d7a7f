import { EventEmitter } from 'node:events';
import type { ApiEvents, EventName } from '../../preload/contract';

/** The typed events of the contract, published by services and forwarded to every renderer by the hosts. */
export class ApiEventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  emit<E extends EventName>(event: E, payload: ApiEvents[E]): void {
    this.emitter.emit(event, payload);
    this.emitter.emit('*', event, payload);
  }

  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  /** Every event, for hosts that forward them all. */
  onAny(listener: (event: EventName, payload: ApiEvents[EventName]) => void): () => void {
    this.emitter.on('*', listener);
    return () => this.emitter.off('*', listener);
  }
}
