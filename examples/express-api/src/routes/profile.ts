import { Router } from 'express';
import { z } from 'zod';
import { logger } from '../logger';
import { pool } from '../db/pool';

export const profile = Router();

const Profile = z.object({ displayName: z.string().max(80) });

profile.post('/account/password', async (req, res) => {
  const { email, password } = req.body;
  // finding: unvalidated-input — the body is used without a schema parse
  // finding: log-sensitive-data — an email address in the logs
  logger.info({ email, action: 'password-change' });
  // near miss: the word in the message, and a presence check
  logger.info('password change requested', { hasPassword: Boolean(password) });
  // finding: console-in-production — console.log in a route handler
  console.log('password changed');
  await pool.query('UPDATE users SET password_hash = crypt($1, gen_salt($2)) WHERE email = $3', [password, 'bf', email]);
  res.sendStatus(204);
});

profile.put('/account/profile', async (req, res) => {
  // near miss: parsed with a schema
  const profile = Profile.parse(req.body);
  // near miss: only outside production
  if (process.env.NODE_ENV !== 'production') console.debug('profile', profile.displayName);
  res.json(profile);
});
