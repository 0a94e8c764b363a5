import Stripe from 'stripe';
import { sql } from '../../../../lib/db';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? '');

// near miss (webhook-not-idempotent): the event id is the row's key, and a
// redelivered event inserts nothing
export async function POST(req: Request) {
  const event = stripe.webhooks.constructEvent(
    await req.text(),
    req.headers.get('stripe-signature') ?? '',
    process.env.STRIPE_WEBHOOK_SECRET ?? '',
  );
  if (event.type === 'charge.refunded') {
    const charge = event.data.object as Stripe.Charge;
    await sql`INSERT INTO refunds (event_id, charge) VALUES (${event.id}, ${charge.id}) ON CONFLICT (event_id) DO NOTHING`;
  }
  return new Response('ok');
}
