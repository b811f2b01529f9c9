/**
 * The signed-in user as the app passes it around: the account's id and email, nothing else (no
 * password hash, no balance). One declaration for every layer, from the token cookies up to the
 * browser's view of the current token; it imports nothing, so any of them, client code included, may
 * import it (tests/unit/boundaries.test.ts places it in the lowest layer).
 */
export type SessionUser = { id: string; email: string };
