// A real OpenID Connect provider for the SSO tests: the certified `oidc-provider` package from
// npm (package.json), with its development login pages. Any login name is accepted; the
// person's claims (name, e-mail, groups) are read from ACCOUNTS_FILE at every sign-in, so a
// test can take a group away between two sign-ins.
//
//   PORT=… CLIENT_ID=… CLIENT_SECRET=… REDIRECT_URI=… POST_LOGOUT_REDIRECT_URI=…
//   ACCOUNTS_FILE=… node tests/accounts/oidc_provider.mjs
import fs from 'node:fs';

import Provider from 'oidc-provider';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const port = Number(env('PORT'));
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: env('CLIENT_ID'),
    client_secret: env('CLIENT_SECRET'),
    redirect_uris: [env('REDIRECT_URI')],
    post_logout_redirect_uris: [env('POST_LOGOUT_REDIRECT_URI')],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    email: ['email'],
    groups: ['groups'],
  },
  scopes: ['openid', 'profile', 'email', 'groups'],
  async findAccount(ctx, id) {
    const accounts = JSON.parse(fs.readFileSync(env('ACCOUNTS_FILE'), 'utf8'));
    if (!(id in accounts)) return undefined;
    return {
      accountId: id,
      async claims() {
        const current = JSON.parse(fs.readFileSync(env('ACCOUNTS_FILE'), 'utf8'))[id] || {};
        return { sub: id, ...current };
      },
    };
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => true },
  cookies: { keys: ['statsbidrag-test-only'] },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
