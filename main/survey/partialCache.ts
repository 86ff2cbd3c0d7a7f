import { rm } from 'node:fs/promises';
import { invalidCacheArgument } from './cacheErrors';
import { publish, type FileHandlePool } from './cacheFiles';
import { CacheMetadataWriter } from './cacheMetadata';

/**
 * The life of a cache while it is written, shared by the survey and gather cache writers: everything goes to
 * `<dir>.partial`, which becomes `dir` only once complete and is removed on abort, so a crash or a cancel never leaves
 * a cache that looks usable.
 */
export class PartialCache {
  readonly partialDir: string;
  private state: 'open' | 'finished' | 'aborted' = 'open';

  /** `kind` names the cache in errors ("survey cache", "gather cache"); `pool` holds the writer's open chunk files. */
  constructor(
    readonly dir: string,
    private readonly kind: string,
    private readonly pool: FileHandlePool,
  ) {
    this.partialDir = `${dir}.partial`;
  }

  assertOpen(): void {
    if (this.state !== 'open')
      throw invalidCacheArgument(`${this.kind} writer for ${this.dir} is already ${this.state}`);
  }

  /** Writes the cache's root attributes, then renames `<dir>.partial` to `dir`. */
  async publish(attributes: object): Promise<void> {
    await new CacheMetadataWriter(this.partialDir).group('', { promethium: attributes });
    await publish(this.partialDir, this.dir);
    this.state = 'finished';
  }

  /** Stops and removes everything written; safe to call at any time, also after a failed write. */
  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    await this.pool.closeAll();
    await rm(this.partialDir, { recursive: true, force: true });
  }
}
