export { composeSignInEmail, type SignInEmail } from "./compose-sign-in-email";
export { deliverMail, MAIL_LOG_MARKER, type Notification } from "./deliver-mail";
export { deliverSignInLink, SIGN_IN_LINK_LOG_MARKER, type MailSettings } from "./deliver-sign-in-link";
