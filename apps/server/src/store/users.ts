// Users named by imported annotations (`completed_by`), kept for "complete user details".
import type { Db } from './db.js';
import type { SyncStore, UserRow } from './types.js';

/** The store methods this module implements. */
export type UserMethods = Pick<SyncStore, 'upsertUsers' | 'getUsers'>;

/** The user methods of a store. */
export function userStore(db: Db): UserMethods {
  const methods: UserMethods = {
    upsertUsers(users) {
      db.transaction(() => {
        for (const u of users) {
          db.run(
            `INSERT INTO users (id, email, first_name, last_name) VALUES (?, ?, ?, ?)
             ON CONFLICT(id) DO UPDATE SET email = excluded.email, first_name = excluded.first_name, last_name = excluded.last_name`,
            u.id,
            u.email,
            u.first_name,
            u.last_name,
          );
        }
      });
    },
    getUsers(ids) {
      const out = new Map<number, UserRow>();
      if (ids.length === 0) return out;
      const rows = db.all(
        'SELECT id, email, first_name, last_name FROM users WHERE id IN (SELECT value FROM json_each(?))',
        JSON.stringify(ids),
      ) as UserRow[];
      for (const r of rows) out.set(r.id, r);
      return out;
    },
  };
  return methods;
}
