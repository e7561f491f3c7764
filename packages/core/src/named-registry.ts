import { ArpoConfigError } from './errors.js';

/**
 * A registry of named implementations selected by one config field (verl's `register_adv_est` /
 * `register_policy_loss`): the built-ins are registered at start, research code adds its own with
 * {@link NamedRegistry.register} and selects it by name in config; an unknown name is an error that lists what is
 * registered.
 */
export class NamedRegistry<T> {
  private readonly entries = new Map<string, T>();

  constructor(
    /** What an entry is, in words (`advantage estimator`). */
    readonly kind: string,
    /** The config field that selects an entry (`advantage.estimator`). */
    readonly field: string,
    builtIns: Record<string, T>,
  ) {
    for (const [name, value] of Object.entries(builtIns)) this.entries.set(name, value);
  }

  /** Adds `value` under `name`; replacing an existing entry needs `{ replace: true }`. */
  register(name: string, value: T, options: { replace?: boolean } = {}): void {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new ArpoConfigError(`${this.kind} registration`, [{ field: 'name', value: name, expected: 'a non-empty string' }]);
    }
    if (this.entries.has(name) && !options.replace) {
      throw new ArpoConfigError(`${this.kind} registration`, [
        { field: 'name', value: name, expected: `a name not registered yet (pass { replace: true } to replace the ${this.kind} '${name}')` },
      ]);
    }
    this.entries.set(name, value);
  }

  /** The entry named `name`; an unknown name throws an {@link ArpoConfigError} naming the field and the registered names. */
  get(name: string): T {
    const value = this.entries.get(name);
    if (value === undefined) {
      throw new ArpoConfigError(`${this.kind} config`, [
        { field: this.field, value: name, expected: `one of the registered ${this.kind}s: ${this.names().join(', ')}` },
      ]);
    }
    return value;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Registered names, built-ins first, then in registration order. */
  names(): string[] {
    return [...this.entries.keys()];
  }
}
