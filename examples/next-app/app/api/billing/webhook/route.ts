import Stripe from 'stripe';
import { sql } from '../../../../lib/db';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY ?? '');

export async function POST(req: Request) {
  const event = stripe.webhooks.constructEvent(
    await req.text(),
    req.headers.get('stripe-signature') ?? '',
    process.env.STRIPE_WEBHOOK_SECRET ?? '',
  );
  if (event.type === 'invoice.paid') {
    const invoice = event.data.object as Stripe.Invoice;
    // finding: webhook-not-idempotent — Stripe redelivers events; each delivery adds the credits again
    await sql`INSERT INTO credits (customer, amount) VALUES (${String(invoice.customer)}, 100)`;
  }
  return new Response('ok');
}
