/** The error `check` throws (undefined when it returns). */
export function caught(check: () => unknown): unknown {
  try {
    check();
  } catch (e) {
    return e;
  }
  return undefined;
}
