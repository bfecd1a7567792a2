// A real OpenID Connect provider (panva's oidc-provider) on loopback: the municipality's
// identity provider in tests/installation. Configured by one JSON argument:
//   {"port": 9000, "client_id": "...", "client_secret": "...", "redirect_uris": ["..."],
//    "accounts": {"anna": {"email": "anna@kommune.dk", "email_verified": true, "name": "Anna"}}}
// Log in at its (development) login form with any account name from `accounts` and any
// password; unknown names get an account without claims. Prints "ready <issuer>" once it listens.
import Provider from "oidc-provider";

const config = JSON.parse(process.argv[2]);
const issuer = `http://127.0.0.1:${config.port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: config.client_id,
      client_secret: config.client_secret,
      redirect_uris: config.redirect_uris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  pkce: { required: () => true },
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name", "preferred_username"] },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ["brobygger-test-cookie-key"] },
  async findAccount(ctx, sub) {
    const claims = config.accounts[sub] || {};
    return { accountId: sub, async claims() { return { sub, ...claims }; } };
  },
});
provider.listen(config.port, "127.0.0.1", () => console.log(`ready ${issuer}`));
