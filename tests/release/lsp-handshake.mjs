// Starts `COMMAND... lsp`, sends initialize / initialized / shutdown / exit over
// stdio with LSP framing, and checks the answers: the installed command must
// speak the protocol (the JS launcher must pass stdin/stdout through untouched).
// Usage: node lsp-handshake.mjs COMMAND [ARGS...]   (prints serverInfo; exit 0 on success)
import { spawn } from 'node:child_process';

const [cmd, ...args] = process.argv.slice(2);
const child = spawn(cmd, [...args, 'lsp'], { stdio: ['pipe', 'pipe', 'inherit'] });
const send = (msg) => {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }));
  child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
  child.stdin.write(body);
};
let buf = Buffer.alloc(0);
const answers = new Map();
child.stdout.on('data', (chunk) => {
  buf = Buffer.concat([buf, chunk]);
  for (;;) {
    const end = buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const m = /Content-Length: (\d+)/i.exec(buf.subarray(0, end).toString());
    if (!m) throw new Error('no Content-Length');
    const len = Number(m[1]);
    if (buf.length < end + 4 + len) return;
    const msg = JSON.parse(buf.subarray(end + 4, end + 4 + len).toString());
    buf = buf.subarray(end + 4 + len);
    if (msg.id !== undefined && !msg.method) answers.set(msg.id, msg);
    if (msg.id === 1) {
      send({ method: 'initialized', params: {} });
      send({ id: 2, method: 'shutdown' });
    }
    if (msg.id === 2) send({ method: 'exit' });
  }
});
const timer = setTimeout(() => {
  console.error('lsp-handshake: no answer within 20 s');
  child.kill('SIGKILL');
  process.exit(1);
}, 20000);
child.on('exit', (code) => {
  clearTimeout(timer);
  const init = answers.get(1);
  const ok = init?.result?.capabilities && init.result.serverInfo?.name === 'prodlint' && answers.get(2) && code === 0;
  console.log(ok ? `lsp ok: ${init.result.serverInfo.name} ${init.result.serverInfo.version}` : `lsp failed (exit ${code})`);
  process.exit(ok ? 0 : 1);
});
send({ id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
