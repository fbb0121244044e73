import { NextResponse, type NextRequest } from "next/server";

// An early, optimistic redirect: a visitor without a session cookie who opens a signed-in page is
// sent to the sign-in page (and back here afterwards) without rendering anything. It proves
// nothing about the cookie; the data layer (lib/auth) checks the session and the role on every
// page, action and route handler.

const SESSION_COOKIES = ["authjs.session-token", "__Secure-authjs.session-token"];

export function proxy(request: NextRequest) {
  if (SESSION_COOKIES.some((name) => request.cookies.has(name))) return NextResponse.next();
  const target = request.nextUrl.clone();
  target.pathname = "/signin";
  target.search = `?${new URLSearchParams({ next: `${request.nextUrl.pathname}${request.nextUrl.search}` })}`;
  // On the origin the visitor used: this redirect answers their own request only.
  return NextResponse.redirect(target);
}

export const config = {
  matcher: ["/dashboard/:path*", "/usage/:path*", "/support/:path*", "/orders/:path*", "/settings/:path*", "/console/:path*"],
};
