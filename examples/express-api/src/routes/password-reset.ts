import { Router } from 'express';
import { z } from 'zod';
import { pool } from '../db/pool';

export const passwordReset = Router();

const Body = z.object({ email: z.string().email() });

passwordReset.post('/password-reset', async (req, res) => {
  const { email } = Body.parse(req.body);
  // finding: insecure-random (a reset token anyone can predict)
  const resetToken = Math.random().toString(36).slice(2);
  await pool.query('insert into password_resets (email, token) values ($1, $2)', [email, resetToken]);
  // near miss: jitter, so that the response time does not tell whether the email exists
  await new Promise((r) => setTimeout(r, 200 + Math.random() * 100));
  res.status(204).end();
});
