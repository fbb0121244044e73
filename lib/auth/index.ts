import "server-only";

// The data-access layer for identity: who is calling, what they may do, and sign-in links.
// Auth.js's own `signIn` is deliberately not re-exported: links are issued by requestSignInLink.
export { auth, handlers, signOut } from "./auth";
export { getCurrentUser, requireAdmin, requireRole, requireStaff, requireUser } from "./current-user";
export { guardAuthRoutes } from "./guard-auth-routes";
export { inspectSignInLink, type SignInLinkState } from "./inspect-sign-in-link";
export { requestSignInLink, SIGN_IN_LINK_LIMITS, type RequestSignInLinkResult } from "./request-sign-in-link";
export { requireApiKeyAccess, requireCustomerAccess, requireOrderAccess, requireTicketAccess } from "./resource-access";
export { assertRole, homePathFor, isStaff, STAFF_ROLES } from "./roles";
export { safeNextPath } from "./safe-next-path";
export type { Role, SessionUser } from "./session-user";
export { signInRequestSchema, type SignInRequest } from "./sign-in-request-schema";
export { getSignInSettings, type SignInSettings } from "./sign-in-settings";
export { buildSignInCallbackPath } from "./sign-in-link-token";
