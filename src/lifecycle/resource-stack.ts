import type { Logger } from '../logging';

interface Resource {
  name: string;
  close: () => Promise<void> | void;
}

/**
 * What start-up built, in order, each with how to close it. `unwind` closes them in the exact reverse
 * order, one at a time, each awaited; a close that fails is logged and the unwinding goes on, so an
 * error of the teardown never replaces the error that caused it.
 */
export class ResourceStack {
  private readonly resources: Resource[] = [];

  constructor(private readonly logger: Logger) {}

  push(name: string, close: () => Promise<void> | void): void {
    this.resources.push({ name, close });
  }

  async unwind(): Promise<void> {
    for (let resource = this.resources.pop(); resource; resource = this.resources.pop()) {
      try {
        await resource.close();
      } catch (error) {
        this.logger.warn({ err: error, resource: resource.name }, `could not close ${resource.name}`);
      }
    }
  }
}
