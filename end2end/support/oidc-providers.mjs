// Two real OpenID providers (npm oidc-provider) for the end-to-end tests: two issuers
// on two ports. Their development login screen accepts any login and password; the
// login becomes the subject, and a login that starts with "verified" has its e-mail
// marked verified. Each client comes back to Stratus's public URL only (a flow begun on
// Andes IT's own host is handed over there).
import Provider from 'oidc-provider';

const stratus = process.env.STRATUS_URL ?? 'http://127.0.0.1:3107';

function start(port, clientId, providerId) {
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: `${clientId}-secret`,
        redirect_uris: [`${stratus}/auth/oidc/${providerId}/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    // E-mail and name in the ID token, as Google and Entra ID send them (Stratus reads the
    // ID token, not the userinfo endpoint).
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    async findAccount(ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return { sub, email: `${sub}@${clientId}.test`, email_verified: sub.startsWith('verified'), name: `Person ${sub}` };
        },
      };
    },
    cookies: { keys: ['e2e-cookie-key'] },
  });
  provider.listen(port, '127.0.0.1', () => console.log(`oidc-provider ${clientId} on ${issuer}`));
}

start(4011, 'provider-a', 1);
start(4012, 'provider-b', 2);
