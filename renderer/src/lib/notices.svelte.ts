/**
 * The window's notices: what went wrong (every rejected API call ends here) or what finished, shown at the bottom
 * right until they time out or are closed.
 */
import { describeError } from './errors';

export interface Notice {
  id: number;
  tone: 'error' | 'info';
  title: string;
  message: string;
  /** The API error code, when the notice reports a rejected call. */
  code: string | null;
}

const NOTICE_LIMIT = 5;
/** Notices go away by themselves (errors stay longer, to be read); the × closes them at once. */
const NOTICE_MS: Record<Notice['tone'], number> = { info: 8000, error: 20000 };

export class NoticesStore {
  list = $state<Notice[]>([]);
  private nextId = 1;

  /** Runs an API call; a rejection becomes an error notice titled `what`, and the call answers undefined. */
  async attempt<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      this.error(what, error);
      return undefined;
    }
  }

  error(title: string, error: unknown): void {
    const { code, message } = describeError(error);
    this.add('error', title, message, code);
  }

  add(tone: Notice['tone'], title: string, message: string, code: string | null = null): void {
    // The same failure reported by several calls at once (e.g. a lost connection) shows once.
    if (this.list.some((notice) => notice.code === code && notice.message === message)) return;
    const id = this.nextId++;
    this.list = [...this.list, { id, tone, title, message, code }].slice(-NOTICE_LIMIT);
    setTimeout(() => this.dismiss(id), NOTICE_MS[tone]);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((notice) => notice.id !== id);
  }
}
