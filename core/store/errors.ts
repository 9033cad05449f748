/** The state store's own errors. */

/** Thrown (as a rejection) by every call on a store after `close()`. */
export class StoreClosedError extends Error {
  constructor(backend: string) {
    super(`The ${backend} state store is closed.`);
    this.name = "StoreClosedError";
  }
}

/** A store that cannot be opened (unreachable database, unwritable DATA_DIR); the message is one
 * line naming the setting and the cause, never a password. */
export class StoreOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreOpenError";
  }
}
