import { Router } from 'express';
import cors from 'cors';

const allowed = (process.env.CORS_ORIGINS ?? '').split(',');
export const admin = Router();

// near miss: the origin comes from configuration
admin.use(cors({ origin: allowed, credentials: true }));

admin.get('/health', (req, res) => {
  const origin = req.headers.origin;
  // near miss: reflection inside an allowlist check
  if (origin && allowed.includes(origin)) {
    res.setHeader('Access-Control-Allow-Origin', origin);
  }
  res.json({ ok: true });
});
