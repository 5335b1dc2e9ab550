// Verifies a token with the npm package `jose` against a remote JWKS; prints the payload as JSON.
// Usage: node verify_with_jose.mjs JWKS_URL TOKEN   (exit status 1 when verification fails)
import { createRemoteJWKSet, jwtVerify } from "jose";

const [jwksUrl, token] = process.argv.slice(2);
const jwks = createRemoteJWKSet(new URL(jwksUrl));
try {
  const { payload, protectedHeader } = await jwtVerify(token, jwks, { algorithms: ["EdDSA"] });
  console.log(JSON.stringify({ payload, protectedHeader }));
} catch (error) {
  console.error(`${error.code}: ${error.message}`);
  process.exit(1);
}
