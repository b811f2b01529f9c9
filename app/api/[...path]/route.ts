import { jsonError } from '@/lib/route/responses';
import { routeHandler } from '@/lib/route/route-handler';

/**
 * Any path under /api that is not one of the app's routes: a JSON 404, like every other API answer,
 * instead of the HTML not-found page (which the APIs' nothing-allowed Content-Security-Policy would
 * leave broken). Every method Next.js can parse gets it; lib/request/request-edge.ts refuses the others.
 */
const notFound = routeHandler({ crossOrigin: 'allowed' }, () => jsonError(404, 'Not found.'));

export { notFound as DELETE, notFound as GET, notFound as HEAD, notFound as PATCH, notFound as POST, notFound as PUT };
