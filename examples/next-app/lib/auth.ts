import { getServerSession } from 'next-auth';

// finding: stub-auth — every request becomes the demo user when auth is not configured
export async function getUserId(): Promise<string> {
  const session = await getServerSession();
  return session?.user?.email ?? 'demo-user';
}

// near miss: a development-only shortcut, and a real check otherwise
export async function getCurrentUserId(): Promise<string | null> {
  if (process.env.NODE_ENV === 'development') return 'local-dev-user';
  const session = await getServerSession();
  return session?.user?.email ?? null;
}
