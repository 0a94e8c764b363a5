import { Router } from 'express';
import jwt from 'jsonwebtoken';
import { login } from '../db/accounts';

export const sessions = Router();

sessions.post('/token', async (req, res) => {
  const user = await login(req.body); // finding: unvalidated-input
  // finding: jwt-without-expiry (the token is valid forever)
  const token = jwt.sign({ sub: user.id }, process.env.JWT_SECRET!);
  // near miss: a short-lived token
  const refresh = jwt.sign({ sub: user.id }, process.env.JWT_SECRET!, { expiresIn: '7d' });
  res.json({ token, refresh });
});

sessions.get('/login/done', (req, res) => {
  const next = String(req.query.next ?? '/'); // (a redirect changes nothing: not unvalidated-input's)
  // finding: open-redirect (`?next=https://evil.example` leaves the site)
  res.redirect(next);
});

sessions.get('/login/return', (req, res) => {
  const next = String(req.query.next ?? '/');
  // near miss: only a path on this site is accepted
  if (!next.startsWith('/') || next.startsWith('//')) return res.redirect('/');
  res.redirect(next);
});
