import cron from 'node-cron';

async function sendDigest() {
  await fetch('https://api.mail.example.com/digest', { method: 'POST' });
}

// finding: cron-in-serverless — a serverless function is frozen between requests: the
// schedule fires late, several times or never (use Vercel Cron Jobs calling this route)
cron.schedule('0 8 * * *', sendDigest);

// near miss: what a platform cron would call
export async function GET() {
  await sendDigest();
  return Response.json({ sent: true });
}
