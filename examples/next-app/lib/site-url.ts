// The base of links in emails and of Stripe/OAuth redirect URLs.
// finding: localhost-fallback-url (a missing variable in production silently becomes localhost)
export const SITE_URL = process.env.NEXT_PUBLIC_SITE_URL || 'http://localhost:3000';

// near miss: the development side of an environment check
export const PREVIEW_URL =
  process.env.NODE_ENV === 'development' ? 'http://localhost:3000' : SITE_URL;
