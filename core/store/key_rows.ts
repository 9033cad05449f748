/**
 * Virtual key rows as both backends store them (`virtual_keys`, migration 2): the settings as
 * one JSON text column, the rest as columns; and the pure merge of an update into a record.
 */
import type {
  JsonObject,
  VirtualKeyChanges,
  VirtualKeyRecord,
  VirtualKeySettings,
} from "./store.ts";

/** The settings fields kept in the `settings` JSON column. */
const SETTINGS_FIELDS = [
  "models",
  "rpmLimit",
  "tpmLimit",
  "maxParallel",
  "maxBudgetUsd",
  "budgetPeriod",
  "expiresAt",
  "metadata",
] as const satisfies readonly (keyof VirtualKeySettings)[];

/** The `settings` column's text for a record (absent fields left out). */
export function settingsText(record: VirtualKeySettings): string {
  const settings: Record<string, unknown> = {};
  for (const field of SETTINGS_FIELDS) {
    if (record[field] !== undefined) settings[field] = record[field];
  }
  return JSON.stringify(settings);
}

/** A record from a row of either backend (numbers may arrive as strings or bigints). */
export function keyFromRow(row: Record<string, unknown>): VirtualKeyRecord {
  const settings = JSON.parse(String(row.settings)) as VirtualKeySettings;
  const record: VirtualKeyRecord = {
    id: String(row.id),
    hash: String(row.key_hash),
    prefix: String(row.key_prefix),
    name: String(row.name),
    enabled: row.enabled === true || Number(row.enabled) === 1,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
  if (row.team !== null && row.team !== undefined) record.team = String(row.team);
  for (const field of SETTINGS_FIELDS) {
    if (settings[field] !== undefined) (record as unknown as JsonObject)[field] = settings[field];
  }
  if (row.revoked_at !== null && row.revoked_at !== undefined) {
    record.revokedAt = Number(row.revoked_at);
  }
  return record;
}

/**
 * `record` with `changes` applied: a present field replaces, `null` removes, absent keeps.
 *
 * @example
 * applyKeyChanges(key, { rpmLimit: 60, team: null }); // rpmLimit 60, no team
 */
export function applyKeyChanges(
  record: VirtualKeyRecord,
  changes: VirtualKeyChanges,
): VirtualKeyRecord {
  const next: Record<string, unknown> = { ...record };
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (value === null) delete next[field];
    else next[field] = value;
  }
  return next as unknown as VirtualKeyRecord;
}
