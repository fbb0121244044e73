import { createServer } from "node:net";

/** Listens on the loopback `port` (0: any free one) and closes again: the port it got, or null when it was taken. */
export function tryPort(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(null));
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const got = typeof address === "object" && address ? address.port : null;
      server.close(() => resolve(got));
    });
  });
}

/** A loopback port free at the moment of asking, for a server a test or the bench starts. */
export async function freePort(): Promise<number> {
  const port = await tryPort(0);
  if (port === null) throw new Error("no loopback port to listen on");
  return port;
}
