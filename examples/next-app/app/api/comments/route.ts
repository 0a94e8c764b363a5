import { auth } from '../../../lib/auth';
import { db } from '../../../lib/db';

// finding: route-without-auth — anyone can post as anyone
export async function POST(req: Request) {
  const { postId, text } = await req.json(); // and unvalidated-input
  return Response.json(await db.comment.create({ data: { postId, text } }));
}

// near miss: checks the session first
export async function DELETE(req: Request) {
  const session = await auth();
  if (!session) return new Response(null, { status: 401 });
  const { id } = await req.json(); // unvalidated-input (no schema)
  await db.comment.delete({ where: { id, authorId: session.user.id } });
  return new Response(null, { status: 204 });
}

// near miss: reads are not judged
export async function GET() {
  return Response.json(await db.comment.findMany());
}
