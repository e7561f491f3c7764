/**
 * SIGINT / SIGTERM handling: the first signal asks the running phase to stop after its current step (it then saves
 * a checkpoint and the summary); a second one exits at once.
 */
export class StopSignal {
  private readonly controller = new AbortController();
  private reason: string | null = null;
  private readonly handlers: Array<[NodeJS.Signals, () => void]> = [];

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  /** The signal name that stopped the run. */
  get stoppedBy(): string | null {
    return this.reason;
  }

  /** Requests a stop (what a signal does). */
  stop(reason: string): void {
    if (this.stopped) return;
    this.reason = reason;
    this.controller.abort(new Error(`stopped by ${reason}`));
  }

  /** Listens for SIGINT and SIGTERM; `onFirst` prints what happens next. */
  install(onFirst: (signal: string) => void = () => {}): this {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      const handler = (): void => {
        if (this.stopped) process.exit(130);
        this.stop(sig);
        onFirst(sig);
      };
      process.on(sig, handler);
      this.handlers.push([sig, handler]);
    }
    return this;
  }

  uninstall(): void {
    for (const [sig, h] of this.handlers) process.off(sig, h);
    this.handlers.length = 0;
  }
}
