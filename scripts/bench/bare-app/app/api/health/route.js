// The bare app's route handler: the same answer as this app's GET /api/health, and nothing else.
export function GET() {
  return Response.json({ status: 'ok' }, { headers: { 'Cache-Control': 'no-store' } });
}
