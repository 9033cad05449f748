/** The gateway's version, reported by `/health` and the tRPC `health` procedure. */
export const VERSION = "0.1.0";
