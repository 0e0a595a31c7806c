// A sleep between polls that a poke ends early; a poke while awake makes the next sleep return at once,
// so a caller waiting for a block never waits out a whole poll interval.
export class Nap {
  #wake: (() => void) | undefined;
  #poked = false;

  sleep(ms: number, skip = false): Promise<void> {
    if (skip || this.#poked) {
      this.#poked = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }

  poke(): void {
    if (this.#wake) this.#wake();
    else this.#poked = true;
  }
}
