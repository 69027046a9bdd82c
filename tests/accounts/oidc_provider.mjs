// A real OpenID Connect provider for the SSO tests: the certified `oidc-provider` package from
// npm (package.json), with its development login pages. Any login name is accepted; the
// person's claims (name, e-mail, groups) are read from ACCOUNTS_FILE at every sign-in, so a
// test can take a group away between two sign-ins.
//
// Entra ID's shapes too: `roles`, `oid`, `tid` and `upn` (scope `entra`; two login names with
// one `oid` stand for one person seen through two app registrations), the groups overage
// (`_claim_names`/`_claim_sources` instead of `groups`), and a Microsoft Graph stand-in at
// /graph/me/memberOf that answers the account's `graph_groups`, two per page, to a valid
// access token only.
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
    entra: ['roles', 'oid', 'tid', 'upn'],
  },
  scopes: ['openid', 'profile', 'email', 'groups', 'entra'],
  async findAccount(ctx, id) {
    const accounts = JSON.parse(fs.readFileSync(env('ACCOUNTS_FILE'), 'utf8'));
    if (!(id in accounts)) return undefined;
    return {
      accountId: id,
      async claims() {
        const current = JSON.parse(fs.readFileSync(env('ACCOUNTS_FILE'), 'utf8'))[id] || {};
        const { graph_groups: _graph, ...claims } = current;
        return { sub: id, ...claims };
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

provider.use(async (ctx, next) => {
  if (ctx.path !== '/graph/me/memberOf') {
    await next();
    return;
  }
  const token = (ctx.get('authorization') || '').replace(/^Bearer /, '');
  const accessToken = token && await provider.AccessToken.find(token);
  if (!accessToken) {
    ctx.status = 401;
    ctx.body = { error: { code: 'InvalidAuthenticationToken' } };
    return;
  }
  const accounts = JSON.parse(fs.readFileSync(env('ACCOUNTS_FILE'), 'utf8'));
  const groups = (accounts[accessToken.accountId] || {}).graph_groups || [];
  const skip = Number(ctx.query.skip || 0);
  const page = groups.slice(skip, skip + 2).map((id) => ({ '@odata.type': '#microsoft.graph.group', id }));
  ctx.body = { value: page };
  if (skip + 2 < groups.length) {
    ctx.body['@odata.nextLink'] = `${issuer}/graph/me/memberOf?skip=${skip + 2}`;
  }
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
