import express from 'express';
import { app } from './server';

const root = express();
root.use('/api', app);

// finding: missing-graceful-shutdown — no file of this app handles SIGTERM: a deploy
// kills the process with requests in flight (`--fix --unsafe-fixes` adds the handler)
const server = root.listen(Number(process.env.PORT ?? 3000));

// near miss: an in-process helper on an ephemeral port
const metrics = express().listen(0);
export { server, metrics };
