import { createServer, type Server } from "node:net";
import { afterEach, expect, it } from "vitest";
import { freeTestPort } from "@/e2e/fixtures/test-port";
import { freePort, tryPort } from "./free-port";

const held: Server[] = [];
afterEach(async () => {
  await Promise.all(held.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

function hold(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => {
      held.push(server);
      resolve(true);
    });
  });
}

it("never picks a port another service on the machine holds (epmd holds 4369 on these machines)", async () => {
  // Two neighbouring ports: the first held by "another service", the second free.
  let port = 0;
  for (;;) {
    port = await freePort();
    if ((await hold(port)) && (await tryPort(port + 1)) !== null) break;
  }
  for (let i = 0; i < 20; i++) expect(await freeTestPort(port, 2)).toBe(port + 1);
});
