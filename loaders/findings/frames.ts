// Stacks are stored as lists of frame ids (`stacks.frame_ids`, the evidence views'
// `frame_ids`), each distinct frame's name once in the `frames` table. Queries group and
// filter by ids; what must show or match names reads them here, once per distinct frame.

import {sqlString} from "../sql.js";
import type {QueryRow} from "./types.js";

/** Every frame of the bundle: a finding or page adds it to its queries and names its stacks with `nameFrames`. */
export const FRAME_NAMES = `SELECT frame_id, name FROM frames ORDER BY frame_id`;

/** Frame id → name, from FRAME_NAMES' rows. */
export function frameNamer(rows: QueryRow[]): (ids: unknown) => string[] {
  const names: string[] = [];
  for (const r of rows) names[Number(r.frame_id)] = String(r.name);
  return (ids) =>
    Array.from(ids as ArrayLike<unknown>, (id) => {
      const name = names[Number(id)];
      if (name === undefined) throw new Error(`stack frame ${String(id)} is not in the frames table`);
      return name;
    });
}

/** `rows` with their `frame_ids` named as `frames` (root first), given FRAME_NAMES' rows. */
export function nameFrames<R extends QueryRow>(rows: R[], frameRows: QueryRow[]): (R & {frames: string[]})[] {
  const name = frameNamer(frameRows);
  return rows.map((r) => ({...r, frames: name(r.frame_ids)}));
}

/**
 * SQL for the ids of frames whose name matches an RE2 `pattern`, as a list: the match runs
 * once per distinct frame, and a stack matches when `list_has_any(frame_ids, …)`.
 */
export const framesMatching = (pattern: string) => `(SELECT coalesce(list(frame_id), []) FROM frames WHERE regexp_matches(name, ${sqlString(pattern)}))`;
