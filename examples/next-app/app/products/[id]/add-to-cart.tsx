'use client';

import { PRODUCT_LIMITS } from '../../../lib/limits';

// near miss: public keys are meant for the browser
const anonKey = process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY;
// finding: secret-in-client — a service-role key with a public prefix is shipped to every visitor
const serviceKey = process.env.NEXT_PUBLIC_SUPABASE_SERVICE_ROLE_KEY;

export function AddToCart({ id }: { id: string }) {
  return (
    <button data-key={anonKey} data-admin={serviceKey} onClick={() => addToCart(id, PRODUCT_LIMITS.max)}>
      Add to cart
    </button>
  );
}
