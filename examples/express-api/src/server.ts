import express from 'express';
import cors from 'cors';
import multer from 'multer';
import path from 'node:path';
import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import { pool } from './db/pool';

const app = express();
app.use(express.json());

app.use(require('cookie-parser')()); // finding below: cors-wildcard — cookie sessions, and cors() allows every origin
app.use(cors());

// finding: secret-fallback — the app starts with a known secret when the env var is missing
const JWT_SECRET = process.env.JWT_SECRET || 'dev-secret-change-me';
// near miss: not a secret
const JWT_EXPIRES_IN = process.env.JWT_EXPIRES_IN || '7d';

// finding: hardcoded-secret — a live Stripe key in the source
const stripeKey = 'sk_live_51HxQ2mKc8bQ4vT9nWz7rY3pL6dF0aS2gH5jK8lZ1xC4vB7nM0qW3eR6tY9uI2oP5';
// near miss: publishable keys are public
const publishableKey = 'pk_live_51HxQ2mKc8bQ4vT9nWz7rY3pL6dF0aS2gH5jK8lZ1xC4vB7nM0qW3eR6tY';

const storage = multer.diskStorage({
  destination: 'uploads/',
  // finding: unsanitized-filename — the client chooses the file name on disk
  filename: (req, file, cb) => cb(null, file.originalname),
});
const upload = multer({ storage });

const safeStorage = multer.diskStorage({
  destination: 'uploads/',
  // near miss: a random name, only the extension comes from the client
  filename: (req, file, cb) => cb(null, `${crypto.randomUUID()}${path.extname(file.originalname)}`),
});

app.post('/login', async (req, res) => {
  // finding: log-request-data — passwords end up in the logs
  console.log('login attempt', req.body);
  // near miss: the method and path are not request data (but a console.log in a route is console-in-production)
  console.log(req.method, req.path); // finding: console-in-production
  const token = jwt.sign({ sub: req.body.email }, JWT_SECRET, { expiresIn: JWT_EXPIRES_IN }); // finding: unvalidated-input
  res.json({ token });
});

app.get('/orders', async (req, res) => {
  // finding: sql-injection — a query string value spliced into SQL
  const { rows } = await pool.query(`SELECT * FROM orders WHERE status = '${req.query.status}'`);
  // near miss: a parameterised query
  const { rows: mine } = await pool.query('SELECT * FROM orders WHERE user_id = $1', [req.query.user]);
  res.json({ rows, mine });
});

if (process.env.NODE_ENV !== 'production') {
  app.use((req, _res, next) => {
    // near miss: development-only logging
    console.log(req.body);
    next();
  });
}

app.post('/avatar', upload.single('avatar'), (req, res) => res.json({ ok: true }));

export { app, safeStorage, publishableKey, stripeKey };
