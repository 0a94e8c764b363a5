import { Router } from 'express';
import { login, loadAccount, attempts } from '../db/accounts';

export const account = Router();

account.post('/login', async (req, res) => {
  if (await attempts.exceeded(req.ip)) {
    // finding: missing-retry-after (the client is not told when to retry)
    return res.status(429).json({ error: 'Too many attempts' });
  }
  const session = await login(req.body); // finding: unvalidated-input (the body, unparsed)
  // finding: insecure-cookie (no httpOnly, secure or sameSite)
  res.cookie('session', session.id, { maxAge: 86_400_000 });
  // near miss: a preference cookie
  res.cookie('theme', 'dark');
  res.json({ ok: true });
});

account.get('/me', async (req, res) => {
  try {
    res.json(await loadAccount(req.cookies.session));
  } catch (err) {
    // near miss: a curated 4xx
    if (err.code === 'NOT_FOUND') return res.status(404).json({ error: 'No such account' });
    // finding: error-details-leak (the error's message goes to the client)
    res.status(500).json({ error: err.message });
  }
});

account.post('/refresh', (req, res) => {
  // near miss: all three flags set; Retry-After set before the 429
  if (attempts.tooFast(req.ip)) {
    res.set('Retry-After', '30');
    return res.status(429).end();
  }
  // near miss for unvalidated-input too: the body only sets the caller's own cookie
  res.cookie('refresh_token', req.body.token, { httpOnly: true, secure: true, sameSite: 'strict' });
  res.json({ ok: true });
});
