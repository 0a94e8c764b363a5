import { after } from 'next/server';
import { getCurrentUserId } from '../../../lib/auth';

async function sendConfirmation(userId: string) {
  await fetch('https://api.mail.example.com/send', { method: 'POST', body: JSON.stringify({ userId }) });
}

export async function POST() {
  const userId = await getCurrentUserId();
  if (!userId) return Response.json({ error: 'unauthorized' }, { status: 401 });
  // finding: fire-and-forget — the function may be frozen before the email is sent
  sendConfirmation(userId);
  // near miss: handed to the platform, which waits for it
  after(() => sendConfirmation(userId));
  return Response.json({ subscribed: true });
}
