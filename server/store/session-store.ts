import type { Principal } from '../context.ts';
import { nowPlus, type Database } from './database.ts';

export interface SessionRow {
  id: string;
  principal: Principal;
  csrfToken: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

/** Sessions and sign-in state: the SQL of the auth module, kept in the store like all SQL. */
export class SessionStore {
  constructor(private readonly db: Database) {}

  async insertSession(row: SessionRow): Promise<void> {
    await this.db('session').insert({
      id: row.id, principal: JSON.stringify(row.principal), csrf_token: row.csrfToken,
      created_at: row.createdAt, last_seen_at: row.lastSeenAt, expires_at: row.expiresAt,
    });
  }

  async findSession(id: string): Promise<SessionRow | undefined> {
    const row = await this.db('session').where({ id }).first();
    if (!row) return undefined;
    return {
      id: row.id, principal: row.principal, csrfToken: row.csrf_token,
      createdAt: new Date(row.created_at), lastSeenAt: new Date(row.last_seen_at), expiresAt: new Date(row.expires_at),
    };
  }

  async touchSession(id: string, at: Date): Promise<void> {
    await this.db('session').where({ id }).update({ last_seen_at: at });
  }

  async deleteSession(id: string): Promise<void> {
    await this.db('session').where({ id }).delete();
  }

  async deleteExpired(now: Date): Promise<void> {
    await this.db('session').where('expires_at', '<', now).delete();
    await this.db('login_state').where('expires_at', '<', this.db.fn.now()).delete();
  }

  /*
   * Sign-in state lives on the database's clock, set and read: the state saved by one app server is
   * taken by another (SAML ACS, PSC callback), and their clocks differ.
   */

  /** Saves sign-in state for `ttlMs` from the database's now(); false when the id is already there (a replay or a clash). */
  async saveLoginState(id: string, kind: string, data: unknown, ttlMs: number): Promise<boolean> {
    const result = await this.db.raw(
      'INSERT INTO login_state (id, kind, data, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING RETURNING id',
      [id, kind, JSON.stringify(data ?? null), nowPlus(this.db, ttlMs)],
    );
    return result.rows.length === 1;
  }

  async getLoginState<T>(id: string, kind: string): Promise<T | undefined> {
    const row = await this.db('login_state').where({ id, kind }).where('expires_at', '>', this.db.fn.now()).first('data');
    return row?.data as T | undefined;
  }

  /** Reads and deletes in one statement: a state can be used once, even by two servers at once. */
  async takeLoginState<T>(id: string, kind: string): Promise<T | undefined> {
    const result = await this.db.raw('DELETE FROM login_state WHERE id = ? AND kind = ? AND expires_at > now() RETURNING data', [id, kind]);
    return result.rows[0]?.data as T | undefined;
  }
}
