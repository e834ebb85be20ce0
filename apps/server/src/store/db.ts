// The SQLite database of a store: cached statements, plain rows, transactions.
import type { DatabaseSync, SQLInputValue, SQLOutputValue, StatementSync } from 'node:sqlite';

export const now = () => new Date().toISOString();

export type Row = Record<string, any>;

/**
 * A row as a plain object. Statements read SQLite integers as BigInts (node:sqlite
 * throws on an integer beyond 2^53 otherwise, as a user id or an id counter can be);
 * they become numbers here, rounded beyond 2^53, as better-sqlite3 returned them.
 */
function plain(row: Record<string, SQLOutputValue>): Row {
  const out: Row = {};
  for (const key in row) {
    const value = row[key];
    out[key] = typeof value === 'bigint' ? Number(value) : value;
  }
  return out;
}

/** The SQLite database of a store: cached statements, plain rows, transactions. */
export class Db {
  private readonly statements = new Map<string, StatementSync>();
  private depth = 0;
  open = true;

  constructor(readonly db: DatabaseSync) {}

  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      statement.setReadBigInts(true);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  get(sql: string, ...params: SQLInputValue[]): Row | undefined {
    const row = this.statement(sql).get(...params);
    return row ? plain(row) : undefined;
  }

  all(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.statement(sql)
      .all(...params)
      .map(plain);
  }

  run(sql: string, ...params: SQLInputValue[]): { changes: number; lastInsertRowid: number } {
    const info = this.statement(sql).run(...params);
    return { changes: Number(info.changes), lastInsertRowid: Number(info.lastInsertRowid) };
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  /**
   * Runs `fn` in a transaction: committed when it returns, rolled back when it throws.
   * `BEGIN IMMEDIATE` takes the write lock at the start (every transaction here writes),
   * so a concurrent writer (a console command beside the server) waits for
   * `busy_timeout` instead of failing on the upgrade; a nested call is a savepoint.
   */
  transaction<T>(fn: () => T): T {
    const savepoint = this.depth > 0 ? `lsconv_${this.depth}` : undefined;
    this.db.exec(savepoint ? `SAVEPOINT ${savepoint}` : 'BEGIN IMMEDIATE');
    this.depth++;
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.depth--;
      try {
        this.db.exec(savepoint ? `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}` : 'ROLLBACK');
      } catch {
        // SQLite already rolled the transaction back (after some errors it does)
      }
      throw error;
    }
    this.depth--;
    this.db.exec(savepoint ? `RELEASE ${savepoint}` : 'COMMIT');
    return result;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.statements.clear();
    this.db.close();
  }
}
