import { sql } from './db';

export async function markPaid(sessionId: string) {
  // near miss: a tagged template binds parameters
  await sql`UPDATE orders SET paid = true WHERE stripe_session = ${sessionId}`;
}
