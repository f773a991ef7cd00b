// Writes frames into a gRPC stream with its backpressure: the promise of a write resolves once the
// stream would take more (write() returned true, or 'drain' came), so writers that await it keep
// the tunnel's send buffer bounded. After the stream ended, writes resolve at once (dropped).
export interface WritableCall<T> {
  write(frame: T): boolean;
  once(event: 'drain' | 'close' | 'error' | 'finish', listener: () => void): unknown;
  removeListener(event: 'drain' | 'close' | 'error' | 'finish', listener: () => void): unknown;
}

export class FrameWriter<T> {
  private ended = false;
  private waiting: Promise<void> | undefined;

  constructor(private readonly call: WritableCall<T>) {
    const end = (): void => {
      this.ended = true;
    };
    call.once('close', end);
    call.once('error', end);
    call.once('finish', end);
  }

  async write(frame: T): Promise<void> {
    if (this.ended) return;
    if (this.call.write(frame)) return;
    this.waiting ??= new Promise<void>((resolve) => {
      const done = (): void => {
        this.call.removeListener('drain', done);
        this.call.removeListener('close', done);
        this.call.removeListener('error', done);
        this.waiting = undefined;
        resolve();
      };
      this.call.once('drain', done);
      this.call.once('close', done);
      this.call.once('error', done);
    });
    await this.waiting;
  }

  /** No more writes (the call ended or is being ended). */
  stop(): void {
    this.ended = true;
  }
}
