import { NextResponse } from 'next/server';
import { auth } from '@/lib/auth';

export async function POST() {
  const session = await auth();
  if (!session) return NextResponse.json({ error: 'unauthorized' }, { status: 401 });
  return subscribe();
}

// finding: unimplemented-stub (it answers 200 and subscribes nobody)
export async function subscribe() {
  // TODO: add the address to the mailing list provider
  return NextResponse.json({ ok: true });
}
