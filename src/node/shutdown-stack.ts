// Components register how to stop as they start; stopping runs that list backwards, once, and keeps
// going past a component that fails to stop so one bad close cannot leave the others running.
import type { Logger } from '../core/logger.ts';

export class ShutdownStack {
  readonly #steps: Array<{ name: string; stop: () => Promise<void> | void }> = [];
  readonly #logger: Logger;
  #running: Promise<void> | undefined;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  push(name: string, stop: () => Promise<void> | void): void {
    this.#steps.push({ name, stop });
  }

  run(): Promise<void> {
    this.#running ??= (async () => {
      for (const step of this.#steps.reverse()) {
        try {
          await step.stop();
        } catch (err) {
          this.#logger.error({ err, component: step.name }, 'failed to stop cleanly');
        }
      }
    })();
    return this.#running;
  }
}
