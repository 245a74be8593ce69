import { ShareDecodeError, combineShares, splitSecret } from 'keystage/crypto';

export async function shamirExample() {
  // Five holders, any three of whom can recover the break-glass password; two learn nothing.
  const split = await splitSecret('break-glass: correct horse battery staple', { threshold: 3, shares: 5 });
  const [alice, bob, carol, dave] = split.shares; // one "ks1-share-…" string per holder: each is a secret
  // Keep split.sealed (the password, encrypted) anywhere, e.g. beside each share.
  const logged = JSON.stringify(split); // {"splitId":"…","threshold":3,"count":5,"shares":"[REDACTED]",…}

  // Any three shares, in any order.
  const password = (await combineShares([carol!, alice!, dave!], split.sealed)).toString('utf8');

  // A mistyped or foreign share is named by its position (and share index), never shown.
  const mistyped = bob!.slice(0, 40) + (bob![40] === 'x' ? 'y' : 'x') + bob!.slice(41);
  const refused = await combineShares([alice!, mistyped, carol!, dave!], split.sealed).catch(
    (error: unknown) => error,
  );
  if (!(refused instanceof ShareDecodeError)) throw new Error('a damaged share must be refused');
  // refused.problem === 'damaged-share', refused.positions === [1]:
  // "shares[1] (share 2 of 5) fails its integrity tag under the key the other shares reconstruct"
  return {
    password,
    logged,
    problem: refused.problem,
    positions: refused.positions,
    message: refused.message,
  };
}
