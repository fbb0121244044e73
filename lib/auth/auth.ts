import "server-only";
import { PrismaAdapter } from "@auth/prisma-adapter";
import NextAuth, { type NextAuthConfig } from "next-auth";
import { getConfig, getSecrets } from "@/lib/config";
import { getDb } from "@/lib/db";
import { logger } from "@/lib/server/logger";
import { canReceiveSignInLink } from "./can-receive-sign-in-link";
import { promoteConfiguredAdmin } from "./promote-configured-admin";
import { SIGN_IN_PROVIDER_ID } from "./sign-in-link-token";

const log = logger.child({ component: "auth" });

const SESSION_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;

// Auth.js with the Prisma adapter and database sessions (a session is a row: signing out or
// deleting it ends it at once, on every instance). Configured lazily, per call, so `next build`
// reads no configuration and opens no database.
//
// Auth.js's part is narrow: it consumes a link's token at its email callback, creates the session
// and its cookie, reads sessions back and ends them. Issuing links is ours (`requestSignInLink`:
// limits, who may receive one, links on the public URL); the route in
// app/api/auth/[...nextauth] closes Auth.js's own sign-in endpoint so that path is the only one.
function authConfig(): NextAuthConfig {
  const config = getConfig();
  // Auth.js takes its own URLs (redirects after the callback, error pages) from AUTH_URL and,
  // with `trustHost`, from the request's Host header only when AUTH_URL is unset. server.ts sets
  // it; setting it here as well keeps that true however the app is started.
  process.env.AUTH_URL = config.publicUrl;
  const authSecret = getSecrets().authSecret;
  const db = getDb();
  return {
    adapter: PrismaAdapter(db as unknown as Parameters<typeof PrismaAdapter>[0]),
    secret: authSecret,
    trustHost: true,
    // The session cookie is HttpOnly and SameSite=Lax (Auth.js's defaults), and Secure with the
    // __Secure- prefix when browsers reach us over https, as the public URL says: said here rather
    // than left to Auth.js's reading of the request, which behind a TLS-terminating proxy sees http.
    useSecureCookies: config.publicUrl.startsWith("https:"),
    session: { strategy: "database", maxAge: SESSION_MAX_AGE_SECONDS, updateAge: 24 * 60 * 60 },
    providers: [
      {
        id: SIGN_IN_PROVIDER_ID,
        type: "email",
        name: "Email link",
        maxAge: config.signInLinkTtlSeconds,
        // The token hash must match the one `hashSignInToken` stores; pinning the secret here keeps
        // both sides on the same string.
        secret: authSecret,
        sendVerificationRequest() {
          throw new Error("Sign-in links are issued by requestSignInLink; Auth.js's sign-in endpoint is closed.");
        },
      },
    ],
    pages: { signIn: "/signin", verifyRequest: "/signin/check-email", error: "/signin/error" },
    callbacks: {
      // A token is only ever issued to an address that may sign in; checked again here in case the
      // user was removed between the email and the click.
      async signIn({ user }) {
        return typeof user.email === "string" && (await canReceiveSignInLink(db, user.email, config.adminEmails));
      },
      // The session names the user; role and account are read fresh by the data layer.
      session({ session, user }) {
        return { expires: session.expires, user: { id: user.id, email: user.email, name: user.name } };
      },
    },
    events: {
      async signIn({ user, isNewUser }) {
        if (!user.email) return;
        const promoted = await promoteConfiguredAdmin(db, user.email, config.adminEmails);
        log.info({ userId: user.id, isNewUser: Boolean(isNewUser), promotedToAdmin: promoted }, "signed in");
      },
      signOut(message) {
        if ("session" in message && message.session) log.info({ userId: message.session.userId }, "signed out");
      },
    },
    logger: {
      // A used or expired link is an everyday event, not a server error.
      error(error) {
        const type = (error as { type?: string }).type ?? error.name;
        if (type === "Verification") log.info("sign-in link refused: expired or already used");
        else if (type === "AccessDenied") log.warn("sign-in refused for an address that may not sign in");
        else log.error({ err: { type, message: error.message } }, "Auth.js error");
      },
      warn(code) {
        log.warn({ code }, "Auth.js warning");
      },
      debug() {},
    },
  };
}

export const { handlers, auth, signIn, signOut } = NextAuth(() => authConfig());
