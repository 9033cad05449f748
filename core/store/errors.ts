/** The state store's own errors. */
import { GatewayError } from "../errors.ts";

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

/**
 * A store call that failed while serving (database gone, disk full…) as the 503 a client gets;
 * the cause is kept for the log only.
 *
 * @example
 * await fromStore(responses.get(id, now)); // rejects with a 503 GatewayError if the store fails
 */
export async function fromStore<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw new GatewayError(
      "unavailable",
      "The gateway's state store is unavailable; try again later.",
      { code: "store_unavailable", cause: error },
    );
  }
}
