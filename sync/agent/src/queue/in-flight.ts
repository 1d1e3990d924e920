/**
 * The readings the uploader has handed out in its current pass, shared by the uploader (which
 * reads batches and ends passes) and the storage limit (which deletes the oldest unsent readings).
 * Several batches can be in flight and the client system may already have stored them, so the
 * limit must not delete them: they would be counted as dropped, yet arrive. And reading a batch and
 * the limit's delete take turns: otherwise a delete prepared before the batch's SELECT answered
 * could remove readings the uploader is about to send.
 */
export class ReadingsInFlight {
  /** Readings up to this id may be on their way; 0 = none. */
  private upTo = 0;
  private turn: Promise<unknown> = Promise.resolve();

  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.turn.then(fn);
    this.turn = result.catch(() => undefined);
    return result;
  }

  /** The uploader reads its next batch after `afterId` (0: a new pass, from the oldest); what it read is on its way. */
  take<T extends { id: number }>(afterId: number, read: (afterId: number) => Promise<T[]>): Promise<T[]> {
    return this.inTurn(async () => {
      const batch = await read(afterId);
      if (afterId === 0) this.upTo = 0;
      const last = batch.at(-1);
      if (last) this.upTo = Math.max(this.upTo, last.id);
      return batch;
    });
  }

  /** The storage limit deletes, sparing every reading up to the id it is given. */
  spare<T>(drop: (spareUpToId: number) => Promise<T>): Promise<T> {
    return this.inTurn(() => drop(this.upTo));
  }

  /** The uploader's pass is over (sent, or failed): nothing of it is on its way any more. */
  passDone(): void {
    this.upTo = 0;
  }
}
