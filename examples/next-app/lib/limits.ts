// near miss: a client module may import this one: it reads no secret when it loads
export const PRODUCT_LIMITS = { max: 10 };

export function adminToken() {
  return process.env.ADMIN_API_SECRET;
}
