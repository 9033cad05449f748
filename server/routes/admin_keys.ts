/**
 * The virtual keys admin API (SPEC §9), for the admin key only (the app's `/admin/*`
 * middleware): `POST /admin/keys` (the answer holds the key, this once), `GET /admin/keys`
 * (OpenAI's cursor paging: `limit`, `after`, `order`), `GET`/`PATCH`/`DELETE /admin/keys/{id}`
 * (`DELETE` revokes).
 */
import { Hono } from "hono";
import type { KeyAdmin } from "../../core/keys/admin.ts";
import { type BodyLimits, readJson } from "../body.ts";
import type { AppEnv } from "../types.ts";

/** The admin keys routes, mounted at `/admin/keys`. */
export function adminKeysRoute(admin: KeyAdmin, limits: BodyLimits): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .post("/", async (c) => c.json(await admin.create(await readJson(c.req.raw, limits))))
    .get("/", async (c) => c.json(await admin.list(c.req.query())))
    .get("/:id", async (c) => c.json(await admin.get(c.req.param("id"))))
    .patch(
      "/:id",
      async (c) => c.json(await admin.update(c.req.param("id"), await readJson(c.req.raw, limits))),
    )
    .delete("/:id", async (c) => c.json(await admin.revoke(c.req.param("id"))));
}
